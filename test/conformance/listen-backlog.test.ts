import { describeArea } from '../support/area-tests.ts';

describeArea('listen-backlog');
