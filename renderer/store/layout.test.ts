import type { LoomDocument } from '../../shared/document';
import { createEditorStore } from './index';
import { flowDirectionOf, layoutGraph } from './layout';

const chain: LoomDocument = {
  format: 'layerloom.model', version: 1, name: 'chain',
  nodes: [{ id: 'x', type: 'Input', params: { shape: [4] } }, { id: 'h', type: 'Dense', params: { units: 3 } }, { id: 'y', type: 'Dense', params: { units: 2 } }],
  edges: [{ from: 'x', to: 'h' }, { from: 'h', to: 'y' }],
};

describe('layout direction', () => {
  it('lays a chain out top to bottom or left to right, and reads the direction back off the layout', () => {
    const tb = layoutGraph(chain, 'TB');
    expect(tb.h!.y).toBeGreaterThan(tb.x!.y);
    expect(tb.h!.x).toBe(tb.x!.x);
    const lr = layoutGraph(chain, 'LR');
    expect(lr.h!.x).toBeGreaterThan(lr.x!.x);
    expect(lr.h!.y).toBe(lr.x!.y);
    expect(flowDirectionOf({ ...chain, layout: tb })).toBe('TB');
    expect(flowDirectionOf({ ...chain, layout: lr })).toBe('LR');
  });

  it('the ⇅/⇆ layout flips the direction as one undo step; a layer added after another follows the flow', () => {
    const store = createEditorStore();
    const s = () => store.getState();
    s().loadDocument(structuredClone(chain));
    s().autoLayout('LR');
    expect(flowDirectionOf(s().doc)).toBe('LR');
    const before = { ...s().doc.layout! };
    const id = s().addNode('Dropout', { after: 'h' });
    const at = s().doc.layout!;
    expect(at[id]!.x).toBeGreaterThan(at.h!.x); // to the right of h, not below it
    expect(at[id]!.y).toBe(at.h!.y);
    expect(at.y!.x).toBeGreaterThan(before.y!.x); // what followed moved one step on
    s().autoLayout(); // Layout keeps the direction
    expect(flowDirectionOf(s().doc)).toBe('LR');
    store.temporal.getState().undo(3); // the layout, the Dropout, the flip
    expect(flowDirectionOf(s().doc)).toBe('TB');
  });
});
