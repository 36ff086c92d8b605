import { describeArea } from './area-tests.ts';

describeArea('connect-errors');
