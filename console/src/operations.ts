/** Every operation the console sends: the documents in operations/*.graphql, bundled as text. */
export { default as Viewer } from '../operations/viewer.graphql';
export { default as Apps } from '../operations/apps.graphql';
