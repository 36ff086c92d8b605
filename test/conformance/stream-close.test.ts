import { describeArea } from '../support/area-tests.ts';

describeArea('stream-close');
