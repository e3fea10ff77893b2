import { describe, expect, it } from 'vitest';
import { binLabels, binOf, classGrouping, crossGroups, defineAttribute, groupBy, groupOfRow, MISSING, quantileEdges } from './groups';

describe('groups', () => {
  it('categorical values become groups, sorted like the loader sorts categories, missing last', () => {
    const def = defineAttribute('colour', ['White', 'Black', 'White', '']);
    expect(def).toEqual({ kind: 'categorical', column: 'colour' });
    const g = groupBy(def, ['White', 'Black', 'White', '']);
    expect(g.names).toEqual(['Black', 'White', MISSING]);
    expect(Array.from(g.of)).toEqual([1, 0, 1, 2]);
    // A numeric column with few values (years, counts) stays categorical, in numeric order.
    const years = ['2002', '1999', '2000', '10'];
    expect(defineAttribute('year', years)).toEqual({ kind: 'categorical', column: 'year' });
    expect(groupBy(defineAttribute('year', years), years).names).toEqual(['10', '1999', '2000', '2002']);
  });

  it('numeric columns with many values are cut at quartiles (numpy linear quantiles), or at given edges', () => {
    const ages = Array.from({ length: 101 }, (_, i) => String(i));
    const def = defineAttribute('age', ages);
    // np.quantile(range(101), [0.25, 0.5, 0.75]) = [25, 50, 75]
    expect(def).toEqual({ kind: 'bins', column: 'age', edges: [25, 50, 75] });
    const g = groupBy(def, ['0', '24.9', '25', '74', '75', '100']);
    expect(g.names).toEqual(['< 25', '[25, 50)', '[50, 75)', '≥ 75']);
    expect(Array.from(g.of)).toEqual([0, 0, 1, 2, 3, 3]);
    expect(defineAttribute('age', ages, { edges: [18, 65] })).toEqual({ kind: 'bins', column: 'age', edges: [18, 65] });
    expect(() => defineAttribute('age', ages, { edges: [65, 18] })).toThrow(/increasing/);
    expect(() => defineAttribute('colour', ['a', 'b'], { quantiles: 3 })).toThrow(/"colour" cannot be binned: "a" is not a number/);
    // Ties collapse edges instead of making empty bins.
    // np.quantile([1,1,1,1,1,1,2,3], [.25, .5, .75]) = [1, 1, 1.25]: the two at the minimum go.
    expect(quantileEdges([1, 1, 1, 1, 1, 1, 2, 3], 4)).toEqual([1.25]);
    expect(quantileEdges([5, 5, 5, 5], 4)).toEqual([]);
    expect(binLabels([1.5])).toEqual(['< 1.5', '≥ 1.5']);
    expect([binOf([10, 20], 9.99), binOf([10, 20], 10), binOf([10, 20], 20)]).toEqual([0, 1, 2]);
  });

  it('two attributes cross into the combinations that occur; the class is a slice', () => {
    const colour = groupBy({ kind: 'categorical', column: 'colour' }, ['B', 'W', 'W', 'B', 'W']);
    const sex = groupBy({ kind: 'categorical', column: 'sex' }, ['M', 'F', 'M', 'M', 'M']);
    const x = crossGroups(colour, sex);
    expect(x.attribute).toBe('colour × sex');
    expect(x.names).toEqual(['B & M', 'W & F', 'W & M']);
    expect(Array.from(x.of)).toEqual([0, 1, 2, 0, 2]);
    expect(x.definition).toHaveLength(2);
    const cls = classGrouping(Int32Array.from([2, 0, 2]), ['a', 'b', 'c']);
    expect(cls.names).toEqual(['a', 'c']);
    expect(Array.from(cls.of)).toEqual([1, 0, 1]);
  });

  it('a definition finds the group of a new row again', () => {
    const def = [{ kind: 'categorical' as const, column: 'colour' }, { kind: 'bins' as const, column: 'age', edges: [25, 50] }];
    expect(groupOfRow(def, { colour: 'Black', age: '30' })).toBe('Black & [25, 50)');
    expect(() => groupOfRow(def, { colour: 'Black' })).toThrow(/no value for the sensitive column "age"/);
    expect(() => groupOfRow([{ kind: 'class' }], {})).toThrow(/true class/);
  });
});
