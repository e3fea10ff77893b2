/** The canvas card of one layer: type, name, key params, output shape, parameter count. */
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import { thousands } from '../../shared/analysis';
import type { LayerFlowNode } from './derive';
import { compact } from './format';

function LayerNodeView({ data, selected }: NodeProps<LayerFlowNode>) {
  const { node, keyParams, shape, params, error, warning, maxInputs } = data;
  const cls = `layer-node${selected ? ' selected' : ''}${error ? ' has-error' : warning ? ' has-warning' : ''}`;
  return (
    <div className={cls} data-testid={`node-${node.id}`} data-type={node.type}>
      {maxInputs > 0 && (
        <Handle type="target" position={Position.Top} className={maxInputs > 1 ? 'handle-multi' : undefined} />
      )}
      <div className="layer-node-head">
        <span className="layer-node-type">{node.type}</span>
        <span className="layer-node-id">{node.id}</span>
      </div>
      {keyParams && <div className="layer-node-params">{keyParams}</div>}
      <div className="layer-node-foot">
        <span className="layer-node-shape" data-testid="node-shape">{shape}</span>
        <span className="layer-node-count" title={`${thousands(params)} parameters`}>{params ? `${compact(params)} params` : '0 params'}</span>
      </div>
      {(error ?? warning) && <div className={`layer-node-tip ${error ? 'error' : 'warning'}`} role="tooltip">{error ?? warning}</div>}
      <Handle type="source" position={Position.Bottom} />
    </div>
  );
}

export const LayerNode = memo(LayerNodeView);
