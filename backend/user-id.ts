import { ApiError } from './errors.ts';

import { USER_ID_PATTERN } from '../contract/picture.ts';

/** User ids are path segments and object-key parts: a closed alphabet keeps both safe. */
export const USER_ID = USER_ID_PATTERN;

/** Returns `userId` when it is valid, or throws a 400 that shows the rule. */
export function checkUserId(userId: string): string {
  if (!USER_ID.test(userId)) {
    throw new ApiError(
      400,
      'invalid_user_id',
      `Invalid user id ${JSON.stringify(userId.slice(0, 80))}: use 1 to 64 of A-Z a-z 0-9 _ -.`,
    );
  }
  return userId;
}
