import { DomainError } from '@app/platform';
import { assertPublicHttps } from './webhooks';

describe('webhook addresses in production', () => {
  it.each(['https://case-system.southshire-police.example/hooks', 'https://203.0.113.7/hook'])('accepts %s', (url) => {
    expect(() => assertPublicHttps(url)).not.toThrow();
  });

  it.each([
    'http://case-system.example/hooks',
    'https://localhost/hook',
    'https://127.0.0.1:8080/hook',
    'https://10.1.2.3/hook',
    'https://172.20.0.5/hook',
    'https://192.168.1.10/hook',
    'https://169.254.169.254/latest/meta-data',
    'https://[::1]/hook',
    'https://[fd12:3456::1]/hook',
    'https://metadata.google.internal/x',
  ])('refuses %s', (url) => {
    let thrown: unknown;
    try {
      assertPublicHttps(url);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(DomainError);
    expect((thrown as DomainError).extensions.errors).toEqual([
      { field: 'url', message: 'url must be a public https:// address' },
    ]);
  });
});
