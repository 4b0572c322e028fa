/**
 * The demo site's script, on every page before the drop-in bundle (the pages' tags are in their HTML): the offline
 * mark, then what the page itself does (`<body data-page>`).
 */
import { showConnection } from './connection.ts';
import { countFriends } from './friends.ts';
import { showPictures } from './pictures.ts';
import { setUpUpload } from './upload.ts';

const pages: Record<string, (root: ParentNode) => void> = {
  friends: countFriends,
  profile: setUpUpload,
  pictures: showPictures,
};

showConnection(document);
pages[document.body.dataset.page ?? '']?.(document);
