import { uploadForImport } from './pick';

describe('uploadForImport', () => {
  it('refuses files without a model or weights file, naming what it takes (Keras .json and .h5 too) and what it got', async () => {
    await expect(uploadForImport([new File(['a,b'], 'houses.csv')])).rejects.toThrow(
      'Choose a model.json (with its .bin files), a Keras .json, a .keras or an .h5 / .weights.h5 file (got houses.csv)',
    );
  });
});
