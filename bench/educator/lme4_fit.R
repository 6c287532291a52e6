# lme4_fit.R - fits the `lme4` preset's model with lme4 on the model frame that
# `slds educators run --model-frame` wrote, per subject, and writes each
# teacher's conditional mode and conditional SE, and the seconds lmer() took.
# usage: Rscript lme4_fit.R frame.csv out.csv
suppressPackageStartupMessages(library(lme4))
a <- commandArgs(trailingOnly = TRUE)
d <- read.csv(a[1], colClasses = c(student_id = "character", teacher = "character"))
out <- NULL
for (s in unique(d$subject)) {
  x <- d[d$subject == s, ]
  t <- system.time(m <- lmer(score ~ factor(grade) + factor(grade):z + factor(grade):I(z^2) +
                               frl + ell + iep + (1 | teacher),
                             data = x, weights = dosage, REML = TRUE))[["elapsed"]]
  r <- ranef(m, condVar = TRUE)$teacher
  se <- sqrt(attr(r, "postVar")[1, 1, ])
  vc <- as.data.frame(VarCorr(m))
  cat(sprintf("%s: %d rows, %d teachers, lmer %.3f s, sigma2 %.6f, tau2 %.6f, REML %.6f\n", s, nrow(x),
              nrow(r), t, sigma(m)^2, vc$vcov[1], REMLcrit(m)))
  out <- rbind(out, data.frame(subject = s, teacher = rownames(r), blup = r[, 1], se = se,
                               seconds = t, sigma2 = sigma(m)^2, tau2 = vc$vcov[1]))
}
write.csv(out, a[2], row.names = FALSE)
