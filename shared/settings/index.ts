/**
 * Settings: the document that turns findings into action (ARCHITECTURE.md, "The settings contract"), how it is
 * read (a cached SSM parameter), and the pure decision it drives.
 */
export { type Action, type Decision, decide, type FindingHistory } from './decision';
export { SettingsReadError, SettingsValidationError, SettingsWriteError } from './errors';
export { SettingsProvider, type SettingsProviderOptions } from './provider';
export {
  activeExemption,
  commentIntervalSeconds,
  DEFAULT_COMMENT_INTERVAL_HOURS,
  isExpired,
  modeFor,
  type ResolvedMode,
} from './resolve';
export {
  type AccountSettings,
  DEFAULT_SETTINGS,
  DEFAULT_SETTINGS_PARAMETER,
  type Exemption,
  type JiraSettings,
  MODES,
  type Mode,
  type NotificationSettings,
  parseJson,
  parseSettings,
  parseSettingsJson,
  type RuleSettings,
  type RulesSettings,
  ruleOptionsOf,
  SETTINGS_VERSION,
  type ServiceNowSettings,
  type Settings,
  settingsSchema,
  TICKET_SINKS,
  type TicketSettings,
  type TicketSink,
  type WebhookSettings,
  withoutAutoFix,
} from './schema';
