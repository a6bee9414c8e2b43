/**
 * The notifier adapters, kept importable from remediation: they live in `shared/notifications`
 * (format, SNS with filterable message attributes, log fallback).
 */
export { formatNotification, LogNotifier, SnsNotifier } from '../notifications/index';
