import { connectDocker } from '../docker/client';

export interface LocalImage {
  id: string;
  tags: string[];
  sizeBytes: number;
  created: number;
}

/** Images in the engine, newest first, for a quick pick ("slim an image from the engine"). */
export async function listImages(dockerHost?: string): Promise<LocalImage[]> {
  const { docker } = await connectDocker(dockerHost);
  const images = await docker.listImages();
  return images
    .map((i) => ({ id: i.Id, tags: (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>'), sizeBytes: i.Size, created: i.Created }))
    .sort((a, b) => b.created - a.created);
}
