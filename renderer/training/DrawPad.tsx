/**
 * Try it for image models: a black pad to draw on with white ink (like the digits), or to drop a
 * PNG/JPEG on; the drawing is downscaled to the Input's H × W.
 */
import { useEffect, useRef, useState, type DragEvent, type PointerEvent } from 'react';

const PAD = 196;

/** Downscale the drawing to the Input's H × W (grayscale or RGB), 0..255. */
export function canvasToSample(canvas: HTMLCanvasElement, shape: number[]): number[] | null {
  const [h, w, c = 1] = shape.length >= 2 ? shape : [Math.round(Math.sqrt(shape[0]!)), Math.round(Math.sqrt(shape[0]!)), 1];
  const small = document.createElement('canvas');
  small.width = w!;
  small.height = h!;
  const ctx = small.getContext('2d');
  if (!ctx) return null;
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(canvas, 0, 0, w!, h!);
  const px = ctx.getImageData(0, 0, w!, h!).data;
  const out: number[] = [];
  for (let p = 0; p < w! * h!; p++) {
    if (c === 3) out.push(px[p * 4]!, px[p * 4 + 1]!, px[p * 4 + 2]!);
    else out.push(Math.round(0.299 * px[p * 4]! + 0.587 * px[p * 4 + 1]! + 0.114 * px[p * 4 + 2]!));
  }
  return out;
}

export function DrawPad({ onInput }: { onInput(canvas: HTMLCanvasElement): void }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const drawing = useRef<{ x: number; y: number } | null>(null);
  const [hover, setHover] = useState(false);
  const [dropError, setDropError] = useState<string | null>(null);
  const clear = () => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, PAD, PAD);
  };
  useEffect(clear, []);
  const pos = (e: PointerEvent) => {
    const r = ref.current!.getBoundingClientRect();
    return { x: ((e.clientX - r.left) / r.width) * PAD, y: ((e.clientY - r.top) / r.height) * PAD };
  };
  const down = (e: PointerEvent) => {
    ref.current?.setPointerCapture?.(e.pointerId);
    drawing.current = pos(e);
    move(e);
  };
  const move = (e: PointerEvent) => {
    const ctx = ref.current?.getContext('2d');
    if (!drawing.current || !ctx) return;
    const p = pos(e);
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = 16;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(drawing.current.x, drawing.current.y);
    ctx.lineTo(p.x, p.y);
    ctx.stroke();
    drawing.current = p;
  };
  const up = () => {
    if (!drawing.current) return;
    drawing.current = null;
    if (ref.current) onInput(ref.current);
  };
  const drop = async (e: DragEvent) => {
    e.preventDefault();
    setHover(false);
    const file = e.dataTransfer.files?.[0];
    if (!file) return;
    setDropError(null);
    let bmp: ImageBitmap;
    try {
      bmp = await createImageBitmap(file);
    } catch {
      // Said, not ignored: a dropped PDF or text file used to do nothing at all.
      setDropError(`${file.name} is not an image this browser can read: drop a PNG or JPEG.`);
      return;
    }
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    clear();
    const k = Math.min(PAD / bmp.width, PAD / bmp.height);
    ctx.drawImage(bmp, (PAD - bmp.width * k) / 2, (PAD - bmp.height * k) / 2, bmp.width * k, bmp.height * k);
    onInput(ref.current!);
  };
  return (
    <div className="ll-drawpad">
      <canvas ref={ref} width={PAD} height={PAD} className={hover ? 'drop' : undefined} data-testid="draw-pad"
        aria-label="Draw here, or drop an image" onPointerDown={down} onPointerMove={move} onPointerUp={up} onPointerLeave={up}
        onDragOver={(e) => { e.preventDefault(); setHover(true); }} onDragLeave={() => setHover(false)} onDrop={(e) => void drop(e)} />
      <div>
        <button type="button" onClick={() => { clear(); setDropError(null); }} data-testid="clear-pad">Clear</button>
        <span className="muted"> Draw with the mouse, or drop a PNG/JPEG.</span>
      </div>
      {dropError && <div className="field-error" role="alert" data-testid="drop-error">{dropError}</div>}
    </div>
  );
}
