import { describeArea } from './area-tests.ts';

describeArea('stream-buffer');
