# Build assets/datasets/arrests.csv from Debian's r-cran-cardata package (carData::Arrests, GPL >= 2).
#   apt-get install -y r-cran-cardata && Rscript arrests.R
# Rows keep carData's order; factors are written as their level names, numbers as integers.
# No value contains a comma or a quote, so nothing is quoted.
library(carData)
args <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", args[grep("^--file=", args)])
out <- file.path(dirname(dirname(normalizePath(script))), "arrests.csv")
stopifnot(nrow(Arrests) == 5226, !anyNA(Arrests))
write.csv(Arrests[, c("released", "colour", "year", "age", "sex", "employed", "citizen", "checks")],
          out, row.names = FALSE, quote = FALSE)
cat("arrests", nrow(Arrests), "rows from carData", as.character(packageVersion("carData")), "\n")
