import { READABLE_ZOOM, readableFit } from './fit';

describe('readable fit', () => {
  it('fits a small graph, centred, at most 1.2×', () => {
    const v = readableFit({ x: 0, y: 0, width: 190, height: 200 }, 800, 600);
    expect(v.zoom).toBe(1.2);
    expect(v.x + 95 * v.zoom).toBeCloseTo(400); // centred
  });

  it('never zooms below readable: a tall graph starts at its inputs (top), centred across', () => {
    const v = readableFit({ x: -100, y: 0, width: 190, height: 1000 }, 800, 350);
    expect(v.zoom).toBe(READABLE_ZOOM);
    expect(v.y).toBe(24); // the top of the graph at the margin
    expect(v.x + (-100 + 95) * v.zoom).toBeCloseTo(400);
  });

  it('a wide left-to-right graph starts at its left', () => {
    const v = readableFit({ x: 50, y: 10, width: 2000, height: 80 }, 800, 350);
    expect(v.zoom).toBe(READABLE_ZOOM);
    expect(v.x + 50 * v.zoom).toBe(24);
  });
});
