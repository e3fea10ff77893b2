/** The canvas card of one layer: type, name, key params, output shape, parameter count. */
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import { thousands } from '../../shared/analysis';
import { useEditor } from '../store';
import { flowDirectionOf } from '../store/layout';
import type { LayerFlowNode } from './derive';
import { compact } from './format';

function LayerNodeView({ data, selected }: NodeProps<LayerFlowNode>) {
  const { node, keyParams, shape, params, error, warning, maxInputs } = data;
  const cls = `layer-node${selected ? ' selected' : ''}${error ? ' has-error' : warning ? ' has-warning' : ''}`;
  // Inputs come in at the top (or left), outputs leave at the bottom (or right): the layout's direction.
  const lr = useEditor((s) => flowDirectionOf(s.doc) === 'LR');
  return (
    <div className={cls} data-testid={`node-${node.id}`} data-type={node.type}>
      {maxInputs > 0 && (
        <Handle type="target" position={lr ? Position.Left : Position.Top} className={maxInputs > 1 ? 'handle-multi' : undefined} />
      )}
      <div className="layer-node-head">
        <span className="layer-node-type">{node.type}</span>
        <span className="layer-node-id" title={node.id}>{node.id}</span>
      </div>
      {keyParams && <div className="layer-node-params">{keyParams}</div>}
      <div className="layer-node-foot">
        <span className="layer-node-shape" data-testid="node-shape">{shape}</span>
        <span className="layer-node-count" title={`${thousands(params)} parameters`}>{params ? `${compact(params)} params` : '0 params'}</span>
      </div>
      {(error ?? warning) && <div className={`layer-node-tip ${error ? 'error' : 'warning'}`} role="tooltip">{error ?? warning}</div>}
      <Handle type="source" position={lr ? Position.Right : Position.Bottom} />
    </div>
  );
}

export const LayerNode = memo(LayerNodeView);
