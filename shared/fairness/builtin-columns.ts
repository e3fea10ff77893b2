/**
 * The columns of the built-in tables (their shipped CSVs' headers, target left out): what the
 * Evaluate › Fairness section offers as sensitive attributes of a run on a built-in. The engine's
 * fairness test checks them against the files.
 */
export const BUILTIN_TABLE_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  arrests: ['colour', 'year', 'age', 'sex', 'employed', 'citizen', 'checks'],
  iris: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'],
  'auto-mpg': ['cylinders', 'displacement', 'horsepower', 'weight', 'acceleration', 'model_year', 'origin'],
};
