import { builder } from './builder.js';

/** Placeholder shape of a deployed revision; the release engine issue fills and extends it. */
export interface RevisionShape {
  number: number;
  image: string;
  imageTag: string;
  createdAt: Date;
}

export const RevisionRef = builder.objectRef<RevisionShape>('Revision').implement({
  description: 'A frozen snapshot of a deployment configuration (image, tag and every setting) that a release order deployed.',
  fields: (t) => ({
    number: t.exposeInt('number', { description: 'The revision number within its environment, from 1.' }),
    image: t.exposeString('image', { description: 'The image reference deployed, without tag.' }),
    imageTag: t.exposeString('imageTag', { description: 'The image tag deployed.' }),
    createdAt: t.field({ type: 'DateTime', description: 'When the revision was frozen.', resolve: (r) => r.createdAt }),
  }),
});
