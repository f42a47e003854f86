import fc from 'fast-check';

// Report the first counterexample as found: shrinking inputs of megabytes can take longer than a CI run.
// Each run's seed is printed on failure, so a failure can be replayed and shrunk by hand.
fc.configureGlobal({ endOnFailure: true });
