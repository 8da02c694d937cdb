/** One version of a secret's value, with the staging labels it carries. */
export interface SecretVersion {
  id: string;
  value: { string?: string | undefined; binary?: Uint8Array | undefined };
  stages: Set<string>;
  createdAt: Date;
}

export interface StoredSecret {
  name: string;
  arn: string;
  description?: string;
  tags: { Key: string; Value: string }[];
  createdAt: Date;
  changedAt: Date;
  /** When it was scheduled for deletion (it stays until then, refusing most operations). */
  deletedAt?: Date;
  versions: SecretVersion[];
}

/** One account's and region's secrets, by name. */
export type SecretsStore = Map<string, StoredSecret>;
