## r_baseline.R - R reference for baseline-referenced SGPs (bench/growth/baseline.sh):
## the SGP package's baseline ("super-cohort") matrices rebuilt with quantreg, as
## baselineSGP / createSuperCohortData / studentGrowthPercentiles do them, on the
## package's demonstration data, then applied to a later year.
##   - panel years BASE (school years ending, e.g. 2021,2022,2023): every score used is
##     of one of them;
##   - for each subject, grade g and order k = 1..K (K = MAX_ORDER, default min(3,
##     years - 2) as getSGPBaselineConfig), the progression g-k, ..., g-1, g (every grade
##     3..10 is tested, so lags are 1): every window of years (Y-k, ..., Y) inside BASE
##     contributes its students with every score of the progression (exact grade
##     progression: na.omit over all k priors), stacked (rbindlist, as
##     createSuperCohortData); rq(method = "br") at taus (1:100 - 0.5)/100 on
##     [1, bs(prior_1), ..., bs(prior_k)] with the DEMO knots of each prior's grade;
##     only order k is fitted on that super-cohort;
##   - applied to year TARGET: each student of grade g with the scores of grades g-1, ...
##     in the years before gets the SGP of the highest order k whose matrix exists and
##     whose priors they have: predictions sorted, rounded to 5 decimals, count strictly
##     below the score, 0 -> 1, 100 -> 99.
## Usage: Rscript r_baseline.R DATA_DIR OUT_DIR BASE TARGET [MAX_ORDER]
##   env SGP_EXCLUDE: CSV (ID, CONTENT_AREA, YEAR = school year ending) of scores to leave out
##   env SGP_ONE: "SUBJECT,GRADE,ORDER": fit only that super-cohort (the timing of one
##       progression), no SGPs
## Writes OUT_DIR/r_baseline_<TARGET>.csv (ID, CONTENT_AREA, GRADE, SGP, ORDER),
## OUT_DIR/r_baseline_models.csv (subject, grade, order, windows, n, seconds) and
## OUT_DIR/r_time.txt.
suppressMessages({ library(data.table); library(quantreg); library(splines); library(jsonlite) })
args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 4) stop("usage: Rscript r_baseline.R DATA_DIR OUT_DIR BASE TARGET [MAX_ORDER]")
dir <- args[1]; outdir <- args[2]
base <- as.integer(strsplit(args[3], ",")[[1]]); target <- as.integer(args[4])
K <- if (length(args) >= 5) as.integer(args[5]) else max(1L, min(3L, length(base) - 2L))
dir.create(outdir, showWarnings = FALSE, recursive = TRUE)
t0 <- proc.time()
KB <- fromJSON(file.path(dir, "SGPstateData_DEMO.json"))$Knots_Boundaries
taus <- (seq.int(100) - 0.5) / 100
d <- fread(cmd = paste("gzip -dc", shQuote(file.path(dir, "sgpData_LONG.csv.gz"))),
           select = c("VALID_CASE", "CONTENT_AREA", "YEAR", "ID", "GRADE", "SCALE_SCORE"))
d <- d[VALID_CASE == "VALID_CASE" & !is.na(SCALE_SCORE), .(ID, CONTENT_AREA, YE = as.integer(substr(YEAR, 6, 9)),
                                                         GRADE, SCALE_SCORE)]
if (nzchar(Sys.getenv("SGP_EXCLUDE"))) {
  ex <- fread(Sys.getenv("SGP_EXCLUDE"), colClasses = c(ID = "integer", CONTENT_AREA = "character", YEAR = "integer"))
  n0 <- nrow(d); d <- d[!ex, on = .(ID, CONTENT_AREA, YE = YEAR)]
  cat(sprintf("left out %d scores (SGP_EXCLUDE)\n", n0 - nrow(d)))
}
setkey(d, CONTENT_AREA, YE, GRADE)
one <- Sys.getenv("SGP_ONE")

## the wide panel of progression (g-k .. g) ending in year Y: SS0 current, SS1 prior 1, ...
panel <- function(subject, yr, g, k) {
  w <- d[.(subject, yr, g), .(ID, SS0 = SCALE_SCORE)]
  for (j in seq_len(k)) {
    x <- d[.(subject, yr - j, g - j), .(ID, SCALE_SCORE)]
    setnames(x, "SCALE_SCORE", paste0("SS", j))
    w <- merge(w, x, by = "ID")                                     # exact progression
  }
  w
}
design <- function(dt, subject, g, k) {
  do.call(cbind, c(list(1), lapply(seq_len(k), function(j)
    bs(dt[[paste0("SS", j)]], knots = KB[[subject]][[paste0("knots_", g - j)]],
       Boundary.knots = KB[[subject]][[paste0("boundaries_", g - j)]]))))
}

models <- list(); info <- list()
for (subject in c("MATHEMATICS", "READING")) for (g in 4:10) for (k in seq_len(min(K, g - 3L))) {
  if (nzchar(one) && one != sprintf("%s,%d,%d", subject, g, k)) next
  wins <- base[sapply(base, function(Y) all((Y - seq_len(k)) %in% base))]
  if (!length(wins)) next
  sc <- rbindlist(lapply(wins, function(Y) panel(subject, Y, g, k)))  # the super-cohort
  tt <- system.time({
    X <- design(sc, subject, g, k)
    cf <- suppressWarnings(rq(sc$SS0 ~ X - 1, tau = taus, method = "br")$coefficients)
  })
  models[[sprintf("%s_%d_%d", subject, g, k)]] <- cf
  info[[length(info) + 1L]] <- data.table(subject, grade = g, order = k,
    windows = paste(wins, collapse = " "), n = nrow(sc), seconds = round(tt[["elapsed"]], 3))
}
info <- rbindlist(info)
fwrite(info, file.path(outdir, "r_baseline_models.csv"))
fit_seconds <- sum(info$seconds)

out <- list()
if (!nzchar(one)) for (subject in c("MATHEMATICS", "READING")) for (g in 4:10) {
  done <- integer(0)
  for (k in rev(seq_len(min(K, g - 3L)))) {
    cf <- models[[sprintf("%s_%d_%d", subject, g, k)]]
    if (is.null(cf)) next
    w <- panel(subject, target, g, k)
    w <- w[!ID %in% done]
    if (!nrow(w)) next
    X <- design(w, subject, g, k)
    P <- round(t(apply(X %*% cf, 1, sort)), 5)
    s <- rowSums(P < w$SS0); s[s == 0L] <- 1L; s[s == 100L] <- 99L
    out[[length(out) + 1L]] <- data.table(ID = w$ID, CONTENT_AREA = subject, GRADE = g, SGP = as.integer(s), ORDER = k)
    done <- c(done, w$ID)
  }
}
if (length(out)) fwrite(rbindlist(out), file.path(outdir, sprintf("r_baseline_%d.csv", target)))
tt <- proc.time() - t0
writeLines(sprintf("elapsed %.1f cpu %.1f models %d rows %d fit_seconds_sum %.1f max_order %d",
                   tt[["elapsed"]], tt[["user.self"]] + tt[["sys.self"]], nrow(info), sum(info$n),
                   fit_seconds, K), file.path(outdir, "r_time.txt"))
cat(readLines(file.path(outdir, "r_time.txt")), "\n")
