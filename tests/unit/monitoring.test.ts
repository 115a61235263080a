import { describe, expect, it } from 'vitest';
import { readTemplate } from '../../scripts/template.ts';

// The stack's CloudWatch side: an alarm per top-level state machine on executions that did not
// succeed, allowed to publish to the notification topic, and one dashboard.

const { Resources } = readTemplate();
const topLevel = ['UpgradeClusterStateMachine', 'UpgradeFleetStateMachine'];

interface MetricQuery {
  Id: string;
  Expression?: string;
  ReturnData: boolean;
  MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions: Array<{ Value: unknown }> } };
}

const alarms = Object.entries(Resources).filter(([, resource]) => resource.Type === 'AWS::CloudWatch::Alarm');
const executionAlarms = alarms.filter(([, alarm]) => alarm.Properties?.Metrics !== undefined);

describe('monitoring in template.yaml', () => {
  it('alarms when a cluster upgrade or a fleet run ends FAILED, TIMED_OUT or ABORTED, on the notification topic', () => {
    const watched = executionAlarms.map(([, alarm]) => {
      const metrics = (alarm.Properties?.Metrics ?? []) as MetricQuery[];
      const stats = metrics.flatMap((query) => (query.MetricStat ? [query.MetricStat.Metric] : []));
      expect(stats.map((metric) => `${metric.Namespace} ${metric.MetricName}`)).toEqual([
        'AWS/States ExecutionsFailed',
        'AWS/States ExecutionsTimedOut',
        'AWS/States ExecutionsAborted',
      ]);
      const returned = metrics.filter((query) => query.ReturnData);
      expect(returned).toHaveLength(1);
      expect(returned[0]?.Expression).toBe('FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0)');
      expect(alarm.Properties).toMatchObject({
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: 'NotificationTopic' }],
      });
      const machines = new Set(
        stats.flatMap((metric) => metric.Dimensions.map((dimension) => JSON.stringify(dimension.Value))),
      );
      expect(machines.size).toBe(1);
      return JSON.parse([...machines][0] ?? 'null') as unknown;
    });
    expect(watched).toEqual(topLevel.map((logicalId) => ({ Ref: logicalId })));
  });

  it('lets only those alarms publish to the topic, whose policy replaces the default one', () => {
    const policy = Resources.NotificationTopicPolicy?.Properties?.PolicyDocument as
      | { Statement: Array<{ Sid: string; Principal: unknown; Condition: unknown }> }
      | undefined;
    const statements = policy?.Statement ?? [];
    const fromAlarms = statements.find((statement) => statement.Sid === 'ExecutionAlarms');
    expect(fromAlarms?.Principal).toEqual({ Service: 'cloudwatch.amazonaws.com' });
    expect(fromAlarms?.Condition).toEqual({
      ArnEquals: { 'aws:SourceArn': alarms.map(([logicalId]) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] })) },
    });
  });

  it('has one dashboard: both state machines by outcome, execution time, every step function and the alarms', () => {
    const dashboards = Object.values(Resources).filter(
      (resource) => resource.Type === 'AWS::CloudWatch::Dashboard',
    );
    expect(dashboards).toHaveLength(1);
    const sub = dashboards[0]?.Properties?.DashboardBody as { 'Fn::Sub': string } | undefined;
    const body = sub?.['Fn::Sub'] ?? '';
    const referenced = [...body.matchAll(/\$\{([\w.:]+)\}/g)].map((match) => match[1] ?? '');
    for (const name of referenced) {
      const [logicalId] = name.split('.');
      if (!logicalId?.startsWith('AWS::')) expect(Resources[logicalId ?? ''], name).toBeDefined();
    }
    // Valid JSON once CloudFormation has filled in the names.
    const widgets = (
      JSON.parse(body.replace(/\$\{[\w.:]+\}/g, 'x')) as { widgets: Array<{ properties: { title: string } }> }
    ).widgets;
    expect(widgets.map((widget) => widget.properties.title)).toEqual([
      'Cluster upgrades by outcome',
      'Fleet runs by outcome',
      'Cluster upgrade duration (ms)',
      "Function errors (the steps' decisions and waits too) and throttles",
      'Step duration p95 (ms)',
      'Update duration by kind (s)',
      'Checks per update, by kind',
      'Updates started, adopted, skipped, deferred; rollbacks',
      'Failures by EKS error code; step errors, refusals, waits',
      'Alarms',
    ]);
    expect(new Set(referenced)).toEqual(
      new Set([
        'AWS::Region',
        'AWS::StackName',
        ...topLevel,
        ...alarms.map(([logicalId]) => `${logicalId}.Arn`),
      ]),
    );
  });

  it("alarms on the steps' own StepErrors metric, in the namespace and service the functions publish under", () => {
    const globals = readTemplate().Globals as {
      Function: { Environment: { Variables: Record<string, string> } };
    };
    const variables = globals.Function.Environment.Variables;
    expect(Resources.StepErrorsAlarm?.Properties).toMatchObject({
      Namespace: variables.POWERTOOLS_METRICS_NAMESPACE,
      MetricName: 'StepErrors',
      Dimensions: [{ Name: 'service', Value: variables.POWERTOOLS_SERVICE_NAME }],
      Statistic: 'Sum',
      Threshold: 1,
      AlarmActions: [{ Ref: 'NotificationTopic' }],
    });
  });
});
