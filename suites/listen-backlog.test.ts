import { describeArea } from './area-tests.ts';

describeArea('listen-backlog');
