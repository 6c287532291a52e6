## r_reference_all.R - R reference SGPs for EVERY cohort of the SGP package's
## demonstration data (not only the three cohorts of shared/data/sgp/sgp_ref_*.csv):
## every year 2022..2025 (school years ending; data years 2021_2022 .. 2024_2025),
## both subjects and every grade with at least one prior grade in the data.
## Adapted from shared/data/sgp/sgp_reference.R (the package's method, checked there
## against the package's own code): panels of consecutive grades in consecutive years,
## up to 4 priors, most recent first; for each order k, rq(current ~ bs(prior_1) + ... +
## bs(prior_k)) at taus (1:100 - 0.5)/100 with method "br" (as the package), each prior
## with the knots/boundaries of its grade (SGPstateData_DEMO.json); predictions sorted per
## student, rounded to 5 decimals, SGP = count strictly below the score, 0 -> 1, 100 -> 99;
## the reported SGP is the highest order's.
##
## Usage: Rscript r_reference_all.R DATA_DIR OUT_DIR [YEARS]
##   DATA_DIR: shared/data/sgp (sgpData_LONG.csv.gz, SGPstateData_DEMO.json)
##   YEARS: comma-separated school years ending, default 2022,2023,2024,2025
##   env SGP_CORES: cohorts fitted in parallel (parallel::mclapply), default every CPU
##   env SGP_EXCLUDE: a CSV (ID, CONTENT_AREA, YEAR = school year ending) of scores to leave
##       out, e.g. those the slds loader rejected; with SGP_AFFECTED_ONLY=1 only the cohorts
##       whose panels (current grade or a prior) hold one of them are fitted
## Writes in OUT_DIR:
##   r_sgp_<Y>.csv         ID, CONTENT_AREA, YEAR, GRADE, SGP, ORDER (highest order)
##   r_sgp_orders_<Y>.csv  ID, CONTENT_AREA, GRADE, ORDER, SGP (every order the student has)
##   r_cohorts.csv         per cohort and order: priors, students, p, "Solution may be
##                         nonunique" warnings (taus), seconds
##   r_time.txt            elapsed and CPU seconds of the whole run
## Needs r-base-core, r-cran-quantreg, r-cran-data.table, r-cran-jsonlite.
suppressMessages({ library(data.table); library(quantreg); library(splines); library(jsonlite); library(parallel) })
args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 2) stop("usage: Rscript r_reference_all.R DATA_DIR OUT_DIR [YEARS]")
dir <- args[1]; outdir <- args[2]
want <- as.integer(strsplit(if (length(args) >= 3) args[3] else "2022,2023,2024,2025", ",")[[1]])
cores <- as.integer(Sys.getenv("SGP_CORES", as.character(max(1L, detectCores()))))
dir.create(outdir, showWarnings = FALSE, recursive = TRUE)
t0 <- proc.time()

KB <- fromJSON(file.path(dir, "SGPstateData_DEMO.json"))$Knots_Boundaries
taus <- (seq.int(100) - 0.5) / 100
d <- fread(cmd = paste("gzip -dc", shQuote(file.path(dir, "sgpData_LONG.csv.gz"))),
           select = c("VALID_CASE", "CONTENT_AREA", "YEAR", "ID", "GRADE", "SCALE_SCORE"))
d <- d[VALID_CASE == "VALID_CASE" & !is.na(SCALE_SCORE), .(ID, CONTENT_AREA, YEAR, GRADE, SCALE_SCORE)]
stopifnot(!anyDuplicated(d, by = c("ID", "CONTENT_AREA", "YEAR")))   # one score per student, subject, year
years <- sort(unique(d$YEAR))                                         # "2020_2021" ... "2024_2025"
year.end <- function(y) as.integer(substr(y, 6, 9))
excl <- NULL
if (nzchar(Sys.getenv("SGP_EXCLUDE"))) {
  excl <- fread(Sys.getenv("SGP_EXCLUDE"), colClasses = c(ID = "integer", CONTENT_AREA = "character", YEAR = "integer"))
  excl <- d[, .(ID, CONTENT_AREA, YEAR, GRADE, Y = year.end(YEAR))][excl, on = .(ID, CONTENT_AREA, Y = YEAR), nomatch = NULL]
  d <- d[!excl, on = .(ID, CONTENT_AREA, YEAR)]
  cat(sprintf("left out %d scores (SGP_EXCLUDE)\n", nrow(excl)))
}
## skip-year SGPs (bench/growth/skipyear.sh): env SGP_DROP_YEAR (e.g. 2022_2023) leaves
## that year out; priors then come from the years that remain, each grade as many
## grades below as years before (grade 5 in 2024 from grade 3 in 2022, lag 2), as the
## package's sgp.panel.years.lags. Without it every panel is consecutive, as before.
if (nzchar(Sys.getenv("SGP_DROP_YEAR"))) {
  d <- d[YEAR != Sys.getenv("SGP_DROP_YEAR")]
  cat(sprintf("left out the year %s (SGP_DROP_YEAR)\n", Sys.getenv("SGP_DROP_YEAR")))
}
grades <- sort(unique(d$GRADE))                                       # 3..10, every grade tested every year

## wide panel for one progression (as sgp_reference.R): SS<g> for grades gp (oldest..current),
## consecutive years ending at cur.year; must have the current score
panel <- function(subject, cur.year, gp) {
  yrs <- tail(years[years <= cur.year], length(gp))
  stopifnot(all(diff(year.end(yrs)) == diff(gp)))                     # grade lags = year lags
  w <- NULL
  for (i in seq_along(gp)) {
    x <- d[CONTENT_AREA == subject & YEAR == yrs[i] & GRADE == gp[i], .(ID, SCALE_SCORE)]
    setnames(x, "SCALE_SCORE", paste0("SS", gp[i]))
    w <- if (is.null(w)) x else merge(w, x, by = "ID", all = TRUE)
  }
  w[!is.na(get(paste0("SS", tail(gp, 1))))]
}
design <- function(dt, subject, priors) {                             # priors: most recent first
  do.call(cbind, c(list(1), lapply(priors, function(g)
    bs(dt[[paste0("SS", g)]], knots = KB[[subject]][[paste0("knots_", g)]],
       Boundary.knots = KB[[subject]][[paste0("boundaries_", g)]]))))
}
sgp.from.coef <- function(X, coef, y) {
  P <- round(t(apply(X %*% coef, 1, sort)), 5)
  s <- rowSums(P < y); s[s == 0L] <- 1L; s[s == 100L] <- 99L
  as.integer(s)
}

## one cohort (subject, year, grade): every order 1..K, method "br"
run.cohort <- function(job) {
  subject <- job$subject; cur.year <- job$year; g <- job$grade
  yrs <- tail(years[years <= cur.year], job$K + 1L)                  # the years with scores
  gp <- g - (year.end(cur.year) - year.end(yrs))                       # seq(g - K, g) without gaps
  w <- panel(subject, cur.year, gp); cur <- paste0("SS", g)
  all.priors <- rev(head(gp, -1))                                     # most recent first
  out <- list(); info <- list()
  for (k in seq_along(all.priors)) {
    pr <- all.priors[seq_len(k)]
    dt <- na.omit(w, cols = c(cur, paste0("SS", pr)))
    nonunique <- 0L
    tt <- system.time({
      X <- suppressWarnings(design(dt, subject, pr)); y <- dt[[cur]]
      cf <- withCallingHandlers(rq(y ~ X - 1, tau = taus, method = "br")$coefficients,
        warning = function(wn) {
          if (grepl("nonunique", conditionMessage(wn))) nonunique <<- nonunique + 1L
          invokeRestart("muffleWarning")
        })
      sg <- sgp.from.coef(X, cf, y)
    })
    out[[k]] <- data.table(ID = dt$ID, CONTENT_AREA = subject, GRADE = g, ORDER = k, SGP = sg)
    info[[k]] <- data.table(year = year.end(cur.year), subject, grade = g, order = k,
      priors = paste(pr, collapse = ","), students_current = nrow(w), n = nrow(X), p = ncol(X),
      nonunique_taus = nonunique, seconds = round(tt[["elapsed"]], 3))
  }
  list(sgp = rbindlist(out), info = rbindlist(info))
}

jobs <- list()
for (y in years[year.end(years) %in% want]) {
  iy <- match(y, years)
  for (subject in c("READING", "MATHEMATICS")) for (g in grades) {
    K <- min(4L, iy - 1L, sum(grades < g))                            # priors that exist in the data
    if (K >= 1L) {                                                    # across a gap: fewer grades
      yrs <- tail(years[years <= y], K + 1L)
      K <- sum(g - (year.end(y) - year.end(head(yrs, -1L))) >= min(grades))
    }
    if (K >= 1L && Sys.getenv("SGP_AFFECTED_ONLY") == "1" && !is.null(excl) &&
        !nrow(excl[CONTENT_AREA == subject & YEAR %in% years[seq(iy - K, iy)] &
                   GRADE == g - (iy - match(YEAR, years))])) next
    if (K >= 1L) jobs[[length(jobs) + 1L]] <- list(subject = subject, year = y, grade = g, K = K,
                                                    cost = K * K)
  }
}
jobs <- jobs[order(-sapply(jobs, `[[`, "cost"))]                       # costliest first
res <- mclapply(jobs, run.cohort, mc.cores = cores, mc.preschedule = FALSE)
bad <- which(!sapply(res, is.list))
if (length(bad)) stop("cohort failed: ", paste(sapply(res[bad], as.character), collapse = "; "))

info <- rbindlist(lapply(res, `[[`, "info"))[order(year, subject, grade, order)]
## the year of each cohort's rows
all <- rbindlist(lapply(seq_along(res), function(i) res[[i]]$sgp[, YEAR := jobs[[i]]$year]))
setorder(all, YEAR, CONTENT_AREA, GRADE, ID, ORDER)
fin <- all[all[, .I[.N], by = .(YEAR, CONTENT_AREA, GRADE, ID)]$V1]       # highest order
for (y in years[year.end(years) %in% want]) {                       # every year, even with no cohort
  fwrite(fin[YEAR == y, .(ID, CONTENT_AREA, YEAR, GRADE, SGP, ORDER)],
         file.path(outdir, sprintf("r_sgp_%d.csv", year.end(y))))
  fwrite(all[YEAR == y, .(ID, CONTENT_AREA, GRADE, ORDER, SGP)],
         file.path(outdir, sprintf("r_sgp_orders_%d.csv", year.end(y))))
}
fwrite(info, file.path(outdir, "r_cohorts.csv"))
tt <- proc.time() - t0
## CPU of the forked workers is in the children's columns
cpu <- tt[["user.self"]] + tt[["sys.self"]] + tt[["user.child"]] + tt[["sys.child"]]
writeLines(sprintf("elapsed %.1f cpu %.1f cores %d cohorts %d fits %d students %d fit_seconds_sum %.1f",
                   tt[["elapsed"]], cpu, cores, length(jobs), nrow(info), nrow(fin), sum(info$seconds)),
           file.path(outdir, "r_time.txt"))
cat(readLines(file.path(outdir, "r_time.txt")), "\n")
