/** Secrets for the ticket sinks: read from Secrets Manager, cached, checked, never logged. */
export { SecretError } from './errors';
export { redact, secretValues } from './redact';
export {
  type SecretProvider,
  type SecretSchema,
  SecretsManagerSecretProvider,
  type SecretsManagerSecretProviderOptions,
} from './secret-provider';
