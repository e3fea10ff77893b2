import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../analysis';
import { makeStudent } from './student';
import { parseTemplate } from './test-docs';

const template = (name: string) => parseTemplate(readFileSync(join(import.meta.dirname, '../../assets/templates', `${name}.loom`), 'utf8'));

describe('make a student', () => {
  it('MNIST CNN at ¼: filters and hidden units scaled, the 10 classes kept, shapes re-inferred', () => {
    const teacher = template('mnist-cnn');
    const s = makeStudent(teacher, 0.25);
    expect(s.changes).toEqual([
      { nodeId: 'conv1', param: 'filters', from: 32, to: 8 },
      { nodeId: 'conv2', param: 'filters', from: 64, to: 16 },
      { nodeId: 'dense', param: 'units', from: 128, to: 32 },
    ]);
    expect(s.kept).toEqual([{ nodeId: 'digit', reason: 'its width is the output "digit"\'s' }]);
    expect(s.errors).toEqual([]);
    expect(s.doc.name).toBe('mnist-cnn (student ¼)');
    expect(analyze(s.doc).nodes.flatten!.outputShape).toEqual([7 * 7 * 16]);
    expect(analyze(s.doc).totalParams).toBeLessThan(analyze(teacher).totalParams / 10);
    expect(teacher.nodes.find((n) => n.id === 'conv1')!.params.filters).toBe(32); // the teacher is untouched
  });

  it('the inputs of an Add share one width: both sides scale together', () => {
    const s = makeStudent(template('residual-block'), 0.5);
    expect(s.changes.map((c) => [c.nodeId, c.to])).toEqual([['stem', 8], ['conv_a', 8], ['conv_b', 8]]);
    expect(s.errors).toEqual([]);
  });

  it('a width tied to the Input (a residual from the data) or to a Reshape stays', () => {
    const doc = {
      nodes: [
        { id: 'x', type: 'Input', params: { shape: [8] } }, { id: 'd', type: 'Dense', params: { units: 8 } },
        { id: 'add', type: 'Add', params: {} }, { id: 'h', type: 'Dense', params: { units: 6 } },
        { id: 'r', type: 'Reshape', params: { targetShape: [2, 3] } }, { id: 'f', type: 'Flatten', params: {} }, { id: 'o', type: 'Dense', params: { units: 2 } },
      ],
      edges: [
        { from: 'x', to: 'd' }, { from: 'd', to: 'add' }, { from: 'x', to: 'add' }, { from: 'add', to: 'h' },
        { from: 'h', to: 'r' }, { from: 'r', to: 'f' }, { from: 'f', to: 'o' },
      ],
    };
    const s = makeStudent(doc, 0.5);
    expect(s.changes).toEqual([]);
    expect(s.kept.map((k) => k.nodeId)).toEqual(['d', 'h', 'o']);
    expect(s.kept[1]!.reason).toMatch(/Reshape "r" has a fixed target shape/);
    expect(() => makeStudent(doc, 1)).toThrow(/multiplier must be in \(0, 1\)/);
  });
});
