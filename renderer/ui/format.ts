/** Counts as people write them: "1 layer", "2 layers". */
export const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
export const layerCount = (n: number) => plural(n, 'layer');
