"""Build assets/datasets/iris.csv and auto-mpg.csv from Debian's python3-vega-datasets package.
  apt-get install -y python3-vega-datasets && /usr/bin/python3 tabular.py
"""
import csv, json, os

SRC = "/usr/lib/python3/dist-packages/vega_datasets/_data/"
OUT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

iris = json.load(open(SRC + "iris.json"))
with open(os.path.join(OUT, "iris.csv"), "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["sepal_length", "sepal_width", "petal_length", "petal_width", "species"])
    for r in iris:
        w.writerow([r["sepalLength"], r["sepalWidth"], r["petalLength"], r["petalWidth"], r["species"]])
print("iris", len(iris))

cars = json.load(open(SRC + "cars.json"))
rows = 0
with open(os.path.join(OUT, "auto-mpg.csv"), "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["cylinders", "displacement", "horsepower", "weight", "acceleration", "model_year", "origin", "mpg"])
    for r in cars:
        if r["Miles_per_Gallon"] is None or r["Horsepower"] is None:
            continue  # rows with the target or horsepower missing are dropped
        w.writerow([r["Cylinders"], r["Displacement"], r["Horsepower"], r["Weight_in_lbs"], r["Acceleration"],
                    int(r["Year"][:4]), r["Origin"], r["Miles_per_Gallon"]])
        rows += 1
print("auto-mpg", rows)
