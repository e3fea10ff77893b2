/** One sample drawn as a small image (pixelated canvas), with an optional heat-map overlay (saliency). */
import { useEffect, useRef } from 'react';
import { toImageData } from './format';

export function SampleImage({ values, shape, size = 56, overlay, title, testId }: {
  values: ArrayLike<number>;
  shape: number[];
  size?: number;
  /** Values in [0, 1] of the same H × W (any channels): drawn in red over the image. */
  overlay?: ArrayLike<number>;
  title?: string;
  testId?: string;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  const img = toImageData(values, shape);
  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext?.('2d');
    if (!canvas || !ctx || !img) return;
    canvas.width = img.width;
    canvas.height = img.height;
    const data = new ImageData(img.rgba.slice(), img.width, img.height);
    if (overlay) {
      const per = Math.max(1, Math.round(overlay.length / (img.width * img.height)));
      for (let p = 0; p < img.width * img.height; p++) {
        let a = 0;
        for (let c = 0; c < per; c++) a = Math.max(a, overlay[p * per + c] ?? 0);
        const d = data.data;
        d[p * 4] = d[p * 4]! * (1 - a) + 255 * a;
        d[p * 4 + 1] = d[p * 4 + 1]! * (1 - a);
        d[p * 4 + 2] = d[p * 4 + 2]! * (1 - a);
      }
    }
    ctx.putImageData(data, 0, 0);
  });
  if (!img) return <span className="muted">[{shape.join('×')}]</span>;
  return <canvas ref={ref} className="ll-sample" style={{ width: size, height: size }} title={title} data-testid={testId} />;
}
