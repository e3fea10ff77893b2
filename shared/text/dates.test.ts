import { DATE_DAYS, DATE_FORMS, dateOfDay, generateDatePairs, isoDate, partOfDay } from './dates';

describe('dates → ISO task', () => {
  it('writes a known date in every form', () => {
    const t = { y: 2021, m: 3, d: 3, wd: 3 };
    expect(DATE_FORMS.map((f) => f(t))).toEqual([
      '3 March 2021', 'March 3, 2021', 'Mar 3 2021', '3 Mar 2021', 'the 3rd of March 2021', 'Wednesday, March 3, 2021',
      'Wed 3 Mar 2021', '3/3/2021', '03/03/21', '3.3.2021', 'MARCH 3, 2021', 'march 3rd 2021', "3rd March '21", '2021, mar 3',
    ]);
    expect(isoDate(t)).toBe('2021-03-03');
  });

  it('covers 1950–2049 with correct weekdays', () => {
    expect(isoDate(dateOfDay(0))).toBe('1950-01-01');
    expect(dateOfDay(0).wd).toBe(0); // 1 January 1950 was a Sunday
    expect(isoDate(dateOfDay(DATE_DAYS - 1))).toBe('2049-12-31');
    expect(dateOfDay(DATE_DAYS - 1).wd).toBe(5); // 31 December 2049 is a Friday
  });

  it('is deterministic, and a held-out date never appears in training', () => {
    const a = generateDatePairs({ count: 5000, seed: 7 });
    expect(generateDatePairs({ count: 5000, seed: 7 })).toEqual(a);
    expect(generateDatePairs({ count: 50, seed: 8 })).not.toEqual(a.slice(0, 50));
    const trainDates = new Set(a.filter((p) => p.part === 'train').map((p) => p.target));
    const test = a.filter((p) => p.part === 'test');
    expect(test.length).toBeGreaterThan(350);
    expect(test.length).toBeLessThan(650);
    expect(test.some((p) => trainDates.has(p.target))).toBe(false);
    expect(partOfDay(12345)).toBe(partOfDay(12345));
  });
});
