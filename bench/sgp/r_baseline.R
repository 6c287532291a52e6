## r_baseline.R - the R baseline for bench_sgp: the same cohorts, fitted the
## way the SGP package does it with quantreg::rq(method = "fn") at the 100
## taus, plus the predictions and SGPs (as shared/data/sgp/sgp_reference.R).
## Writes "label,seconds" lines that bench_sgp --r-times reads.
## Usage: Rscript r_baseline.R SHARED_DATA_SGP_DIR STATE_CSV OUT_TIMES [b]
##   b: the state-sized cohort only (bench/growth/run.sh --repeat)
##   STATE_CSV: the resampled state-sized cohort written by bench_sgp --dump-b
##   (columns SS5, SS4, SS3), so both sides fit identical data.
suppressMessages({ library(data.table); library(quantreg); library(splines); library(jsonlite) })
args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 3) stop("usage: Rscript r_baseline.R DATA_DIR STATE_CSV OUT_TIMES")
dir <- args[1]; state.csv <- args[2]; out <- args[3]
meta <- fromJSON(file.path(dir, "SGPstateData_DEMO.json"))
KB <- meta$Knots_Boundaries
taus <- (seq.int(100) - 0.5) / 100
d <- fread(cmd = paste("gzip -dc", shQuote(file.path(dir, "sgpData_LONG.csv.gz"))),
           select = c("VALID_CASE", "CONTENT_AREA", "YEAR", "ID", "GRADE", "SCALE_SCORE"))
d <- d[VALID_CASE == "VALID_CASE" & !is.na(SCALE_SCORE)]
years <- sort(unique(d$YEAR))

panel <- function(subject, cur.year, gp) {
  yrs <- tail(years[years <= cur.year], length(gp))
  w <- NULL
  for (i in seq_along(gp)) {
    x <- d[CONTENT_AREA == subject & YEAR == yrs[i] & GRADE == gp[i], .(ID, SCALE_SCORE)]
    setnames(x, "SCALE_SCORE", paste0("SS", gp[i]))
    w <- if (is.null(w)) x else merge(w, x, by = "ID", all = TRUE)
  }
  w[!is.na(get(paste0("SS", tail(gp, 1))))]
}
design <- function(dt, subject, priors) {
  do.call(cbind, c(list(1), lapply(priors, function(g)
    bs(dt[[paste0("SS", g)]], knots = KB[[subject]][[paste0("knots_", g)]],
       Boundary.knots = KB[[subject]][[paste0("boundaries_", g)]]))))
}
sgp.from.coef <- function(X, coef, y) {
  P <- round(t(apply(X %*% coef, 1, sort)), 5)
  s <- rowSums(P < y); s[s == 0L] <- 1L; s[s == 100L] <- 99L
  as.integer(s)
}
## one cohort: every order, design + rq(fn) + SGPs, seconds
## one cohort: every order, design + rq(fn) + SGPs; elapsed and CPU seconds
time.cohort <- function(w, subject, cur, all.priors) {
  secs <- c(0, 0)
  for (k in seq_along(all.priors)) {
    pr <- all.priors[seq_len(k)]
    dt <- na.omit(w, cols = c(cur, paste0("SS", pr)))
    tt <- system.time({
      X <- suppressWarnings(design(dt, subject, pr)); y <- dt[[cur]]
      cf <- rq(y ~ X - 1, tau = taus, method = "fn")$coefficients
      sg <- sgp.from.coef(X, cf, y)
    })
    secs <- secs + c(tt[["elapsed"]], tt[["user.self"]] + tt[["sys.self"]])
  }
  secs
}
put <- function(label, s) {
  res <<- c(res, sprintf("%s,%.3f", label, s[1]), sprintf("%s:cpu,%.3f", label, s[2]))
  cat(label, s, "\n")
}

res <- character()
total <- c(0, 0)
only.b <- length(args) >= 4 && args[4] == "b"
if (!only.b) for (subject in c("READING", "MATHEMATICS")) for (g in 4:10) {
  gp <- seq(max(3, g - 4), g)
  w <- panel(subject, "2024_2025", gp)
  s <- time.cohort(w, subject, paste0("SS", g), rev(head(gp, -1)))
  total <- total + s
  put(sprintf("a:%s_g%d", subject, g), s)
}
if (!only.b) put("a:year_2024_2025_total", total)

b <- fread(state.csv)
put(sprintf("b:READING_g5_resampled_%d", nrow(b)), time.cohort(b, "READING", "SS5", c(4, 3)))
writeLines(res, out)
