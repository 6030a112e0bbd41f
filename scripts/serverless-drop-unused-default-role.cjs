'use strict';
/**
 * A local Serverless Framework plugin: the framework always compiles its shared default role
 * (IamRoleLambdaExecution); with serverless-iam-roles-per-function every function gets its own role and the
 * default one is left unused — an IAM role with permissions nobody needs. This removes it from the packaged
 * template when nothing in the template references it any more (listed after the per-function plugin in
 * serverless.yml, so its `before:package:finalize` hook runs after that plugin's).
 */
const DEFAULT_ROLE = 'IamRoleLambdaExecution';

class DropUnusedDefaultRole {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { 'before:package:finalize': () => this.drop() };
  }

  drop() {
    const template = this.serverless.service.provider.compiledCloudFormationTemplate;
    const resources = template.Resources ?? {};
    if (!resources[DEFAULT_ROLE]) return;
    const { [DEFAULT_ROLE]: _unused, ...others } = resources;
    // Ref, Fn::GetAtt and DependsOn all name the logical id as a JSON string.
    if (JSON.stringify({ ...template, Resources: others }).includes(`"${DEFAULT_ROLE}"`)) return;
    delete resources[DEFAULT_ROLE];
    this.serverless.cli.log(`Removed the unused default role ${DEFAULT_ROLE} (every function has its own role)`);
  }
}

module.exports = DropUnusedDefaultRole;
