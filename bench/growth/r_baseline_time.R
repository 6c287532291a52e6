## r_baseline_time.R - times R fitting one baseline super-cohort (bench/growth/baseline_time.sh):
## rq(SS0 ~ bs(SS1), method = "fn") at the 100 SGP taus, with the knots and boundaries slds used.
## Usage: Rscript r_baseline_time.R COHORT_CSV KNOTS_JSON
suppressMessages({ library(data.table); library(quantreg); library(splines); library(jsonlite) })
args <- commandArgs(trailingOnly = TRUE)
w <- fread(args[1]); k <- fromJSON(args[2])
taus <- (seq.int(100) - 0.5) / 100
t0 <- proc.time()
X <- cbind(1, bs(w$SS1, knots = k$knots, Boundary.knots = k$boundary))
cf <- rq(w$SS0 ~ X - 1, tau = taus, method = "fn")$coefficients
tt <- proc.time() - t0
cat(sprintf("# R rq(method = \"fn\"), %d rows, p = %d, 100 taus: elapsed %.1f s, CPU %.1f s\n",
            nrow(w), ncol(X), tt[["elapsed"]], tt[["user.self"]] + tt[["sys.self"]]))
