import { describe, expect, it } from 'vitest';
import { createOperationNames } from './operation-names.ts';

describe('createOperationNames', () => {
  it('keeps plain names up to the limit, then reports every new one as other', () => {
    const bounded = createOperationNames(2);
    expect(bounded('Me')).toBe('Me');
    expect(bounded('Jobs')).toBe('Jobs');
    expect(bounded('Third')).toBe('other');
    expect(bounded('Me')).toBe('Me');
  });

  it.each(['taro@example.com', '090-1234-5678', 'a'.repeat(65), '1abc', 'Name With Space', '山田'])('reports %s as other', (name) => {
    expect(createOperationNames()(name)).toBe('other');
  });

  it('names an unnamed operation anonymous', () => {
    expect(createOperationNames()(null)).toBe('anonymous');
  });
});
