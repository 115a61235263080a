import type { QueryParams, XmlObject } from './autoscaling.ts';
import { ApiError, type World } from './model.ts';

// EC2 (ec2Query): the launch templates of the scenario's node groups, as DescribeLaunchTemplateVersions
// shows them. ec2Query lists are <item> elements and names lowerCamel; query-protocol.ts wraps the result.

/** Values of an ec2Query list parameter (Name.1, Name.2, ...), in order. */
function numberedList(params: QueryParams, name: string): string[] {
  const out: string[] = [];
  for (let i = 1; params[`${name}.${i}`] !== undefined; i++) out.push(params[`${name}.${i}`] ?? '');
  return out;
}

interface TemplateVersion {
  id: string;
  name: string;
  version: number;
  imageId?: string;
  userData?: string;
}

/** Every version of every customer launch template the scenario's node groups use or declare. */
function templateVersions(world: World): TemplateVersion[] {
  return world.scenario.clusters.flatMap((cluster) =>
    cluster.nodegroups.flatMap((ng) => {
      const lt = ng.customLaunchTemplate;
      if (!lt) return [];
      const inUse = lt.version ?? ng.launchTemplateVersion;
      const declared = Object.entries(lt.versions ?? {}).map(([version, data]) => ({
        id: lt.id,
        name: lt.name,
        version: Number(version),
        ...(data.imageId ? { imageId: data.imageId } : {}),
        ...(data.userData ? { userData: Buffer.from(data.userData).toString('base64') } : {}),
      }));
      const current = world.cluster(cluster.name).nodegroups.find((candidate) => candidate.name === ng.name);
      const inUseData = lt.versions?.[String(inUse)];
      return [
        ...(inUseData
          ? []
          : [
              {
                id: lt.id,
                name: lt.name,
                version: inUse,
                // A CUSTOM group's AMI is in its template: releaseVersion holds it.
                ...(current?.releaseVersion.startsWith('ami-') ? { imageId: current.releaseVersion } : {}),
                ...(lt.userData ? { userData: Buffer.from(lt.userData).toString('base64') } : {}),
              },
            ]),
        ...declared,
      ];
    }),
  );
}

export const ec2Operations: Record<string, (world: World, params: QueryParams) => XmlObject> = {
  /**
   * @throws ApiError InvalidLaunchTemplateId.NotFound / InvalidLaunchTemplateName.NotFoundException for an
   *   unknown template, InvalidLaunchTemplateId.VersionNotFound for an unknown version (EC2 API reference).
   */
  DescribeLaunchTemplateVersions: (world, params) => {
    const id = params.LaunchTemplateId;
    const name = params.LaunchTemplateName;
    if (!id === !name) {
      throw new ApiError(
        'MissingParameter',
        400,
        'Specify either a launch template ID or a launch template name.',
      );
    }
    const all = templateVersions(world).filter((v) => (id ? v.id === id : v.name === name));
    if (all.length === 0) {
      throw id
        ? new ApiError(
            'InvalidLaunchTemplateId.NotFound',
            400,
            `The specified launch template, with template ID ${id}, does not exist.`,
          )
        : new ApiError(
            'InvalidLaunchTemplateName.NotFoundException',
            400,
            `The specified launch template, with template name ${name}, does not exist.`,
          );
    }
    const wanted = numberedList(params, 'LaunchTemplateVersion');
    const found = wanted.length === 0 ? all : all.filter((v) => wanted.includes(String(v.version)));
    const missing = wanted.filter((w) => !all.some((v) => String(v.version) === w));
    if (missing.length > 0) {
      throw new ApiError(
        'InvalidLaunchTemplateId.VersionNotFound',
        400,
        `Could not find launch template version ${missing[0]} for launch template ${all[0]?.id ?? id ?? name}.`,
      );
    }
    // One set element holding every <item>, as EC2 writes it.
    return {
      launchTemplateVersionSet: {
        item: found.map((v) => ({
          launchTemplateId: v.id,
          launchTemplateName: v.name,
          versionNumber: v.version,
          defaultVersion: false,
          launchTemplateData: {
            ...(v.imageId ? { imageId: v.imageId } : {}),
            ...(v.userData ? { userData: v.userData } : {}),
          },
        })),
      },
    };
  },
};
