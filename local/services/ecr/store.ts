import type { EncryptionConfiguration, ImageTagMutability, Tag } from '@aws-sdk/client-ecr';

export interface Image {
  digest: string;
  /** The manifest exactly as pushed: its sha256 is the digest. */
  manifest: string;
  manifestMediaType: string;
  /** The config's media type (or the manifest's artifactType); indexes have none. */
  artifactMediaType?: string;
  tags: Set<string>;
  pushedAt: Date;
  sizeInBytes: number;
  /** The images an index names (by digest). */
  references: string[];
}

export interface Repository {
  name: string;
  arn: string;
  uri: string;
  createdAt: Date;
  scanOnPush: boolean;
  imageTagMutability: ImageTagMutability;
  encryptionConfiguration: EncryptionConfiguration;
  tags: Tag[];
  /** By digest, in push order. */
  images: Map<string, Image>;
}

/** ECR's state in one account and region: repositories by name. */
export class EcrStore {
  readonly repositories = new Map<string, Repository>();
}
