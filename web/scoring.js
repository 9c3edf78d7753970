// Marks as the server takes them: between 0 and the question's points, on its step, in exact
// hundredths (0.1 + 0.2 must not be refused as off a 0.1 step).

const hundredths = (n) => Math.round(Number(n) * 100);

/** The points typed, as a number, or `null` when the server would refuse them. */
export function checkPoints(text, max, step) {
  const s = String(text).trim().replace(',', '.');
  if (!/^\d+(\.\d{1,2})?$/.test(s)) return null;
  const value = hundredths(s);
  const stepH = Math.max(1, hundredths(step));
  if (value > hundredths(max) || value % stepH !== 0) return null;
  return value / 100;
}

/** The sum of the ticked criteria's points, exactly. */
export function rubricTotal(points) {
  return points.reduce((sum, p) => sum + hundredths(p), 0) / 100;
}
