import { segment, type Caller, type CallOptions } from './caller.ts';
import type { Page, Post, PostInput, PostsQuery } from './types.ts';

/** The example resource: anyone reads, signed-in users write, owners (and admins) change. */
export function postsApi(caller: Caller) {
  return {
    list: (query: PostsQuery = {}, options?: CallOptions) =>
      caller.call<Page<Post>>({ method: 'GET', path: '/posts', query: { ...query } }, 'optional', options),
    get: (id: string, options?: CallOptions) =>
      caller.call<Post>({ method: 'GET', path: `/posts/${segment(id)}` }, 'optional', options),
    create: (input: PostInput, options?: CallOptions) =>
      caller.call<Post>({ method: 'POST', path: '/posts', body: input }, 'required', options),
    update: (id: string, input: Partial<PostInput>, options?: CallOptions) =>
      caller.call<Post>({ method: 'PUT', path: `/posts/${segment(id)}`, body: input }, 'required', options),
    delete: (id: string, options?: CallOptions) =>
      caller.call<void>({ method: 'DELETE', path: `/posts/${segment(id)}` }, 'required', options),
  };
}
