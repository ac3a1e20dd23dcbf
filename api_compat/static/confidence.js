// What the list shows is what "accept all" files: the same rule as the terminal app
// (vidsort_tui/tui/confidence.py). Whole hundredths of a percent, so float noise plays no
// part; the shown value is truncated at the threshold's precision, never rounded up.
export const basisPoints = (value) => Math.floor(value * 10000 + 0.5);

export class ConfidenceScale {
  constructor(threshold) {
    this.threshold = threshold;
    const points = basisPoints(threshold);
    this.decimals = points % 100 === 0 ? 0 : points % 10 === 0 ? 1 : 2;
  }

  text(confidence) {
    const shown = Math.floor(basisPoints(confidence || 0) / 10 ** (2 - this.decimals));
    return this.decimals ? `${(shown / 10 ** this.decimals).toFixed(this.decimals)}%` : `${shown}%`;
  }

  thresholdText() { return this.text(this.threshold); }

  meets(confidence) { return basisPoints(confidence || 0) >= basisPoints(this.threshold); }
}
