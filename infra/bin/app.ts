/**
 * The endpoint-guard CDK app (`cdk.json` runs it with tsx). Synthesizes offline: no lookups, no
 * credentials; the account comes from `CDK_DEFAULT_ACCOUNT` (or `-c account=`) when known.
 *
 *   npx cdk synth --all -c organizationId=o-... -c rootId=r-... -c regions=us-east-1,eu-west-1
 *   npx cdk synth --all -c mode=account
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readDeploymentConfig } from '../config';
import { buildEndpointGuard } from '../endpoint-guard-app';
import { acknowledgeNagFindings } from '../nag-suppressions';

const app = new App();
const config = readDeploymentConfig((key) => app.node.tryGetContext(key), process.env);
const deployment = buildEndpointGuard(app, config);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
acknowledgeNagFindings(deployment);
