import type { Build, Project } from '@aws-sdk/client-codebuild';
import type { Scope } from '../../core/scope.js';

/** A project as BatchGetProjects returns it, its key members always set. */
export type StoredProject = Project & Required<Pick<Project, 'name' | 'arn' | 'source' | 'environment'>>;

/** A build as BatchGetBuilds returns it, its key members always set. */
export type StoredBuild = Build &
  Required<
    Pick<Build, 'id' | 'arn' | 'buildNumber' | 'projectName' | 'phases' | 'buildStatus' | 'currentPhase'>
  > & {
    logs: { groupName: string; streamName: string };
  };

/** What a build runs: the build itself, where it lives, and the buildspec it was started with. */
export interface BuildRecord {
  scope: Scope;
  build: StoredBuild;
  /** Inline YAML, a path in the source, or empty (the source's buildspec.yml). */
  buildspec: string;
}

/** CodeBuild's state in one account and region. */
export class CodeBuildStore {
  /** By name. */
  readonly projects = new Map<string, StoredProject>();
  /** By build id (`project:uuid`), in start order. */
  readonly builds = new Map<string, BuildRecord>();
  /** The last build number of each project (numbers start at 1 per project). */
  readonly buildNumbers = new Map<string, number>();
}
