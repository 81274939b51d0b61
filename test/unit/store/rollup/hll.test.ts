import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  REGISTERS,
  addValue,
  emptyRegisters,
  encodeSketch,
  estimate,
  mergeEncoded,
  mergeInto,
} from '../../../../src/store/rollup/hll.js';

const addresses = (count: number, prefix = '10'): string[] =>
  Array.from(
    { length: count },
    (_, index) => `${prefix}.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`,
  );

function sketchOf(values: readonly string[]): Uint8Array {
  const registers = emptyRegisters();
  for (const value of values) addValue(registers, value);
  return registers;
}

describe('visitor sketch (HyperLogLog, 4096 registers)', () => {
  test('an empty sketch counts 0 and is stored as no bytes', () => {
    assert.equal(estimate(emptyRegisters()), 0);
    assert.equal(encodeSketch(emptyRegisters()).length, 0);
  });

  test('is exact or nearly for small sets, and counts a value seen twice once', () => {
    for (const count of [1, 2, 10, 100, 500]) {
      const values = addresses(count);
      assert.ok(
        Math.abs(estimate(sketchOf([...values, ...values])) - count) <= Math.max(1, count * 0.01),
        `${count}`,
      );
    }
  });

  test('stays within the documented 5 % at every size up to 1,000,000 (3 standard errors)', () => {
    for (const count of [2_000, 10_000, 50_000, 200_000, 1_000_000]) {
      const got = estimate(sketchOf(addresses(count, `${count % 200}`)));
      assert.ok(Math.abs(got - count) <= 0.05 * count, `${count} distinct values estimated as ${got}`);
    }
  });

  test('merging sketches counts the union, as one sketch of all the values would', () => {
    const a = addresses(3000, '11');
    const b = [...addresses(1500, '11'), ...addresses(2000, '12')];
    const merged = sketchOf(a);
    mergeInto(merged, sketchOf(b));
    assert.deepEqual(merged, sketchOf([...a, ...b]));
  });

  test('the stored form reads back to the same registers, sparse and dense', () => {
    for (const count of [3, 1000, 5000, 100_000]) {
      const registers = sketchOf(addresses(count, '13'));
      const stored = encodeSketch(registers);
      assert.ok(stored.length <= 1 + REGISTERS, 'never more than the dense form');
      const back = emptyRegisters();
      mergeEncoded(back, stored);
      assert.deepEqual(back, registers, `${count} values`);
    }
  });

  test('any set of strings round-trips through the stored form', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { maxLength: 300 }), (values) => {
        const registers = sketchOf(values);
        const back = emptyRegisters();
        mergeEncoded(back, encodeSketch(registers));
        assert.deepEqual(back, registers);
      }),
    );
  });

  test('refuses bytes it did not write', () => {
    assert.throws(() => mergeEncoded(emptyRegisters(), Buffer.from('hello')), /not a visitors sketch/);
  });
});
