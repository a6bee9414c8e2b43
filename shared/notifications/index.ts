/** Notifications to people: the SNS notifier, its message format and filterable attributes. */
export {
  consoleUrl,
  costImpact,
  findingTitle,
  planText,
  ruleTitle,
  whyItMatters,
} from './finding-text';
export {
  formatNotification,
  formatSettingsInvalid,
  MAX_SUBJECT_LENGTH,
  type Notification,
  type NotificationAction,
  type NotificationAttributes,
  notificationAction,
  subjectLine,
} from './format';
export { type InvalidSettings, LogNotifier, messageAttributes, SnsNotifier } from './sns-notifier';
