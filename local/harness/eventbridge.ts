/**
 * EventBridge's event patterns, as far as template.yaml uses them: arrays of exact values, `prefix`,
 * `anything-but`, `exists`, nested objects and `$or` (EventBridge user guide, "Event patterns").
 * A pattern matches when every field it names matches; arrays match when any element does.
 */
export function matchesEventPattern(pattern: unknown, event: unknown): boolean {
  if (!isRecord(pattern)) return false;
  return Object.entries(pattern).every(([key, rule]) => {
    if (key === '$or')
      return Array.isArray(rule) && rule.some((branch) => matchesEventPattern(branch, event));
    const value = isRecord(event) ? event[key] : undefined;
    if (Array.isArray(rule)) return rule.some((candidate) => matchesValue(candidate, value));
    return isRecord(rule) && isRecord(value) && matchesEventPattern(rule, value);
  });
}

function matchesValue(rule: unknown, value: unknown): boolean {
  if (Array.isArray(value)) return value.some((element) => matchesValue(rule, element));
  if (!isRecord(rule)) return rule === value;
  if ('prefix' in rule) return typeof value === 'string' && value.startsWith(String(rule.prefix));
  if ('exists' in rule) return (value !== undefined) === rule.exists;
  if ('anything-but' in rule) {
    const excluded = ([] as unknown[]).concat(rule['anything-but']);
    return value !== undefined && !excluded.some((candidate) => matchesValue(candidate, value));
  }
  return false;
}

/**
 * An InputTransformer's output: each `<name>` of the template replaced by the value at its JSONPath
 * (`$.a.b` only), as a JSON string's contents when the template is a quoted string.
 */
export function transformInput(
  transformer: { InputPathsMap: Record<string, string>; InputTemplate: string },
  event: unknown,
): string {
  const quoted = transformer.InputTemplate.trim().startsWith('"');
  const text = transformer.InputTemplate.replace(/<(\w+)>/g, (whole, name: string) => {
    const path = transformer.InputPathsMap[name];
    if (!path) return whole;
    const value = path
      .replace(/^\$\.?/, '')
      .split('.')
      .filter(Boolean)
      .reduce<unknown>((node, part) => (isRecord(node) ? node[part] : undefined), event);
    const rendered = value === undefined || value === null ? '' : String(value);
    return quoted ? JSON.stringify(rendered).slice(1, -1) : rendered;
  });
  return quoted ? (JSON.parse(text.trim()) as string) : text;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Whether the template's topic policy lets EventBridge publish for this rule: AWS delivers to an SNS
 * target only then (otherwise the rule's invocations just fail). The topic and rule are named by
 * logical id; the statement must allow events.amazonaws.com to sns:Publish, for this rule's ARN when
 * it has an aws:SourceArn condition.
 */
export function eventBridgeMayPublish(
  resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>,
  ruleId: string,
  topicId: string,
): boolean {
  return Object.values(resources).some((resource) => {
    if (resource.Type !== 'AWS::SNS::TopicPolicy') return false;
    const topics = (resource.Properties?.Topics ?? []) as unknown[];
    if (!topics.some((topic) => isRecord(topic) && topic.Ref === topicId)) return false;
    const document = resource.Properties?.PolicyDocument;
    const statements = isRecord(document) && Array.isArray(document.Statement) ? document.Statement : [];
    return statements.some((statement: unknown) => {
      if (!isRecord(statement) || statement.Effect !== 'Allow') return false;
      const principal = statement.Principal;
      const services = isRecord(principal) ? ([] as unknown[]).concat(principal.Service) : [];
      const actions = ([] as unknown[]).concat(statement.Action);
      if (!services.includes('events.amazonaws.com')) return false;
      if (!actions.some((action) => action === 'sns:Publish' || action === 'sns:*')) return false;
      const condition = statement.Condition;
      if (condition === undefined) return true;
      const source =
        isRecord(condition) && isRecord(condition.ArnEquals)
          ? condition.ArnEquals['aws:SourceArn']
          : undefined;
      const attribute = isRecord(source) ? source['Fn::GetAtt'] : undefined;
      return Array.isArray(attribute) && attribute[0] === ruleId;
    });
  });
}
