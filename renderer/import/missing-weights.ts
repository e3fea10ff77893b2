/**
 * One message for a model.json whose weight files were not picked with it, whether it came through
 * Import (the engine imports the graph and warns) or Load Weights (the engine refuses): the engine
 * says "<files> not found next to model.json" in both, in different sentences.
 */
const MISSING = /^(?:weights not loaded: )?(.+?) not found next to (.+)$/;

export function missingWeightsMessage(engineMessage: string): string | null {
  const m = MISSING.exec(engineMessage.trim());
  if (!m) return null;
  const [, files, model] = m;
  const many = files!.includes(',');
  return `The weights were not loaded: ${files} ${many ? 'were' : 'was'} not found next to ${model}. Choose ${model} together with its weight file${many ? 's' : ''} (select them all at once), or add them later with Load Weights.`;
}
