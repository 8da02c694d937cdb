export interface StoredObject {
  body: Buffer;
  etag: string;
  contentType: string;
  lastModified: Date;
}

export interface Bucket {
  name: string;
  createdAt: Date;
  /** By key. */
  objects: Map<string, StoredObject>;
}

/** S3's buckets in one account and region. */
export class S3Store {
  readonly buckets = new Map<string, Bucket>();
}
