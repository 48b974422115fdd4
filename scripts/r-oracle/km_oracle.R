#!/usr/bin/env Rscript
# Reference values for Passerelle's Analytics target, computed with R's survival package.
#
# Usage: Rscript scripts/r-oracle/km_oracle.R [output-dir]
#   (default output-dir: Tests/AnalyticsTests/Fixtures)
#
# Writes, for each data set, <name>.csv (columns time,event,group; event 1 = death, 0 = censored)
# and km_expected.json with, per data set and per group (plus the pooled "all" curve):
# survfit rows (time, n.risk, n.event, surv, std.err of the cumulative hazard), lower/upper
# limits for conf.type "log", "log-log" and "plain", medians with their limits (print.survfit),
# summary(fit, times =, extend = TRUE), the restricted mean (print(fit, rmean = tau)), and
# survdiff(rho = 0) chi-square, df and p; and maximum-likelihood fits of the pooled data
# (survreg for exponential, Weibull, log-logistic and log-normal, mapped to flexsurv's
# parameters; the Gompertz likelihood maximised with optim/BFGS and its analytic gradient).
# NA, NaN and Inf are written as null.
suppressPackageStartupMessages(library(survival))

args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) >= 1) args[[1]] else "Tests/AnalyticsTests/Fixtures"
dir.create(out, showWarnings = FALSE, recursive = TRUE)

num <- function(x) {
  if (length(x) == 0) return("[]")
  s <- ifelse(is.finite(x), sprintf("%.17g", x), "null")
  paste0("[", paste(s, collapse = ","), "]")
}
scalar <- function(x) if (length(x) == 1 && is.finite(x)) sprintf("%.17g", x) else "null"
obj <- function(fields) paste0("{", paste(sprintf("\"%s\":%s", names(fields), unlist(fields)), collapse = ","), "}")
str <- function(x) sprintf("\"%s\"", x)

datasets <- list(
  lung = list(data = with(survival::lung, data.frame(time = time, event = as.integer(status == 2), group = as.character(sex))),
              times = c(0, 100, 365, 730, 1000), tau = 500),
  aml = list(data = with(survival::aml, data.frame(time = time, event = status, group = as.character(x))),
             times = c(5, 12, 24, 48), tau = 48),
  veteran = list(data = with(survival::veteran, data.frame(time = time, event = status, group = as.character(celltype))),
                 times = c(30, 90, 180, 365), tau = 180),
  ovarian = list(data = with(survival::ovarian, data.frame(time = futime, event = fustat, group = as.character(rx))),
                 times = c(365, 730, 1000), tau = 730)
)

curve <- function(d, times, tau) {
  fits <- lapply(c("log", "log-log", "plain"), function(ct) survfit(Surv(time, event) ~ 1, data = d, conf.type = ct))
  names(fits) <- c("log", "log-log", "plain")
  f <- fits[["log"]]
  limits <- sapply(names(fits), function(ct) {
    g <- fits[[ct]]
    tab <- summary(g)$table
    s <- summary(g, times = times, extend = TRUE)
    obj(list(lower = num(g$lower), upper = num(g$upper),
             median = scalar(tab[["median"]]), medianLower = scalar(tab[["0.95LCL"]]),
             medianUpper = scalar(tab[["0.95UCL"]]),
             atTimesLower = num(s$lower), atTimesUpper = num(s$upper)))
  })
  s <- summary(f, times = times, extend = TRUE)
  rm <- survival:::survmean(f, rmean = tau)$matrix
  obj(list(n = scalar(f$n), events = scalar(sum(f$n.event)),
           time = num(f$time), nRisk = num(f$n.risk), nEvent = num(f$n.event), nCensor = num(f$n.censor),
           surv = num(f$surv), logStdErr = num(f$std.err), stdErr = num(f$surv * f$std.err),
           queryTimes = num(times), atTimesSurv = num(s$surv), atTimesStdErr = num(s$std.err),
           atTimesRisk = num(s$n.risk),
           tau = scalar(tau), rmean = scalar(rm[["rmean"]]), rmeanSE = scalar(rm[["se(rmean)"]]),
           conf = obj(as.list(limits))))
}

fits <- function(d) {
  sr <- function(dist) survreg(Surv(time, event) ~ 1, data = d, dist = dist)
  e <- sr("exponential"); w <- sr("weibull"); l <- sr("loglogistic"); n <- sr("lognormal")
  ev <- d$event; t <- d$time
  negll <- function(p) -(sum(ev * (p[2] + p[1] * t)) - sum(exp(p[2]) / p[1] * (exp(p[1] * t) - 1)))
  grad <- function(p) {
    a <- p[1]; r <- exp(p[2])
    -c(sum(ev * t) - sum(r * (t * exp(a * t) / a - (exp(a * t) - 1) / a^2)),
       sum(ev) - sum(r / a * (exp(a * t) - 1)))
  }
  g <- optim(c(1e-3, log(sum(ev) / sum(t))), negll, grad, method = "BFGS",
             control = list(reltol = 1e-16, maxit = 10000, parscale = c(1e-3, 1)))
  obj(list(
    exponential = obj(list(rate = scalar(exp(-coef(e)[[1]])), logLik = scalar(e$loglik[1]))),
    weibull = obj(list(shape = scalar(1 / w$scale), scale = scalar(exp(coef(w)[[1]])), logLik = scalar(w$loglik[1]))),
    logLogistic = obj(list(shape = scalar(1 / l$scale), scale = scalar(exp(coef(l)[[1]])), logLik = scalar(l$loglik[1]))),
    logNormal = obj(list(meanlog = scalar(coef(n)[[1]]), sdlog = scalar(n$scale), logLik = scalar(n$loglik[1]))),
    gompertz = obj(list(shape = scalar(g$par[1]), rate = scalar(exp(g$par[2])), logLik = scalar(-g$value)))
  ))
}

entries <- sapply(names(datasets), function(name) {
  spec <- datasets[[name]]
  d <- spec$data
  write.csv(d, file.path(out, paste0(name, ".csv")), row.names = FALSE)
  groups <- sort(unique(d$group))
  curves <- c(list(all = curve(d, spec$times, spec$tau)),
              setNames(lapply(groups, function(g) curve(d[d$group == g, ], spec$times, spec$tau)), groups))
  sd <- survdiff(Surv(time, event) ~ group, data = d, rho = 0)
  df <- sum(sd$exp > 0) - 1
  obj(list(curves = obj(curves), fits = fits(d),
           logRank = obj(list(chiSquare = scalar(sd$chisq), df = scalar(df), p = scalar(sd$pvalue)))))
})

writeLines(obj(c(list(survivalVersion = str(as.character(packageVersion("survival")))), as.list(entries))),
           file.path(out, "km_expected.json"))
cat("wrote", length(datasets), "data sets to", out, "\n")
