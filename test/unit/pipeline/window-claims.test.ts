import { describe, expect, it } from 'vitest';
import { createWindowClaims } from '../../../src/pipeline/window-claims.js';

describe('the claims of a window shared by the sends of one container', () => {
  it('gives the claim back only when the last send in flight fails and none was delivered', async () => {
    const claims = createWindowClaims();
    const released: string[] = [];
    const release = async () => {
      released.push('fp#0');
    };
    await claims.enter('fp#0', 300_000, 0);
    await claims.enter('fp#0', 300_000, 0);

    await claims.leave('fp#0', false, release);
    const whileOneSends = [...released];
    await claims.leave('fp#0', false, release);

    expect(whileOneSends).toEqual([]);
    expect(released).toEqual(['fp#0']);
  });

  it('keeps the claim of a window one send delivered, whatever the others come to', async () => {
    const claims = createWindowClaims();
    const released: string[] = [];
    await claims.enter('fp#0', 300_000, 0);
    await claims.enter('fp#0', 300_000, 0);

    await claims.leave('fp#0', true);
    await claims.leave('fp#0', false, async () => {
      released.push('fp#0');
    });

    expect(released).toEqual([]);
  });

  it('lets a new send claim only once a release under way is done', async () => {
    const claims = createWindowClaims();
    const steps: string[] = [];
    let done: () => void = () => {};
    await claims.enter('fp#0', 300_000, 0);
    const releasing = claims.leave('fp#0', false, async () => {
      await new Promise<void>((resolve) => {
        done = resolve;
      });
      steps.push('released');
    });

    const entering = claims.enter('fp#0', 300_000, 0).then(() => steps.push('entered'));
    await Promise.resolve();
    done();
    await Promise.all([releasing, entering]);

    expect(steps).toEqual(['released', 'entered']);
  });
});
