/** The middle value of the samples (the upper middle for an even count), as every benchmark here reports. */
export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
