/** One image explanation: the signed per-pixel map over the input, at the chosen opacity. */
import { useEffect, useRef } from 'react';
import type { Explanation } from '../../shared/explain/schema';
import { grayscale, heatRgba, pixelMap } from './heat';

export function Heatmap({ explanation, preview, opacity, size = 168, testId }: {
  explanation: Pick<Explanation, 'attributions' | 'shape'>;
  preview?: { values: number[]; shape: number[] };
  opacity: number;
  size?: number;
  testId?: string;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  const map = pixelMap(explanation);
  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext?.('2d');
    if (!canvas || !ctx || !map) return;
    canvas.width = map.width;
    canvas.height = map.height;
    const base = preview ? grayscale(preview.values, preview.shape, map) : null;
    ctx.putImageData(new ImageData(heatRgba(map, base, opacity), map.width, map.height), 0, 0);
  });
  if (!map) return <span className="muted">[{explanation.shape.join('×')}]</span>;
  const aspect = map.width / map.height;
  return (
    <canvas ref={ref} className="ll-heatmap" data-testid={testId} data-opacity={opacity}
      style={{ width: aspect >= 1 ? size : size * aspect, height: aspect >= 1 ? size / aspect : size }}
      role="img" aria-label="attributions over the input: red raised the target, blue lowered it" />
  );
}
