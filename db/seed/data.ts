/**
 * Static vocabulary for the seed: names with readings, prefectures, industries, job categories,
 * skills, campaigns and surveys. Plain data, no randomness.
 */

/** A name as written, its katakana reading and a romanization for e-mail addresses. */
export type NameEntry = readonly [written: string, kana: string, romaji: string];

export const FAMILY_NAMES: readonly NameEntry[] = [
  ['佐藤', 'サトウ', 'sato'], ['鈴木', 'スズキ', 'suzuki'], ['高橋', 'タカハシ', 'takahashi'], ['田中', 'タナカ', 'tanaka'],
  ['伊藤', 'イトウ', 'ito'], ['渡辺', 'ワタナベ', 'watanabe'], ['山本', 'ヤマモト', 'yamamoto'], ['中村', 'ナカムラ', 'nakamura'],
  ['小林', 'コバヤシ', 'kobayashi'], ['加藤', 'カトウ', 'kato'], ['吉田', 'ヨシダ', 'yoshida'], ['山田', 'ヤマダ', 'yamada'],
  ['佐々木', 'ササキ', 'sasaki'], ['山口', 'ヤマグチ', 'yamaguchi'], ['松本', 'マツモト', 'matsumoto'], ['井上', 'イノウエ', 'inoue'],
  ['木村', 'キムラ', 'kimura'], ['林', 'ハヤシ', 'hayashi'], ['斎藤', 'サイトウ', 'saito'], ['清水', 'シミズ', 'shimizu'],
  ['山崎', 'ヤマザキ', 'yamazaki'], ['森', 'モリ', 'mori'], ['池田', 'イケダ', 'ikeda'], ['橋本', 'ハシモト', 'hashimoto'],
  ['阿部', 'アベ', 'abe'], ['石川', 'イシカワ', 'ishikawa'], ['山下', 'ヤマシタ', 'yamashita'], ['中島', 'ナカジマ', 'nakajima'],
  ['石井', 'イシイ', 'ishii'], ['小川', 'オガワ', 'ogawa'], ['前田', 'マエダ', 'maeda'], ['岡田', 'オカダ', 'okada'],
  ['長谷川', 'ハセガワ', 'hasegawa'], ['藤田', 'フジタ', 'fujita'], ['後藤', 'ゴトウ', 'goto'], ['近藤', 'コンドウ', 'kondo'],
  ['村上', 'ムラカミ', 'murakami'], ['遠藤', 'エンドウ', 'endo'], ['青木', 'アオキ', 'aoki'], ['坂本', 'サカモト', 'sakamoto'],
  ['斉藤', 'サイトウ', 'saito'], ['福田', 'フクダ', 'fukuda'], ['太田', 'オオタ', 'ota'], ['西村', 'ニシムラ', 'nishimura'],
  ['藤井', 'フジイ', 'fujii'], ['金子', 'カネコ', 'kaneko'], ['岡本', 'オカモト', 'okamoto'], ['藤原', 'フジワラ', 'fujiwara'],
  ['中野', 'ナカノ', 'nakano'], ['三浦', 'ミウラ', 'miura'], ['原田', 'ハラダ', 'harada'], ['中川', 'ナカガワ', 'nakagawa'],
  ['松田', 'マツダ', 'matsuda'], ['竹内', 'タケウチ', 'takeuchi'], ['小野', 'オノ', 'ono'], ['田村', 'タムラ', 'tamura'],
  ['中山', 'ナカヤマ', 'nakayama'], ['和田', 'ワダ', 'wada'], ['石田', 'イシダ', 'ishida'], ['上田', 'ウエダ', 'ueda'],
  ['森田', 'モリタ', 'morita'], ['原', 'ハラ', 'hara'], ['柴田', 'シバタ', 'shibata'], ['酒井', 'サカイ', 'sakai'],
  ['工藤', 'クドウ', 'kudo'], ['横山', 'ヨコヤマ', 'yokoyama'], ['宮崎', 'ミヤザキ', 'miyazaki'], ['宮本', 'ミヤモト', 'miyamoto'],
  ['内田', 'ウチダ', 'uchida'], ['高木', 'タカギ', 'takagi'],
];

export const FEMALE_GIVEN_NAMES: readonly NameEntry[] = [
  ['花子', 'ハナコ', 'hanako'], ['陽菜', 'ヒナ', 'hina'], ['結衣', 'ユイ', 'yui'], ['美咲', 'ミサキ', 'misaki'],
  ['さくら', 'サクラ', 'sakura'], ['葵', 'アオイ', 'aoi'], ['優花', 'ユウカ', 'yuka'], ['愛子', 'アイコ', 'aiko'],
  ['恵子', 'ケイコ', 'keiko'], ['裕子', 'ユウコ', 'yuko'], ['真由美', 'マユミ', 'mayumi'], ['直美', 'ナオミ', 'naomi'],
  ['明美', 'アケミ', 'akemi'], ['由美', 'ユミ', 'yumi'], ['智子', 'トモコ', 'tomoko'], ['久美子', 'クミコ', 'kumiko'],
  ['彩', 'アヤ', 'aya'], ['千尋', 'チヒロ', 'chihiro'], ['麻衣', 'マイ', 'mai'], ['沙織', 'サオリ', 'saori'],
  ['美穂', 'ミホ', 'miho'], ['香織', 'カオリ', 'kaori'], ['奈々', 'ナナ', 'nana'], ['結菜', 'ユイナ', 'yuina'],
  ['凛', 'リン', 'rin'], ['芽依', 'メイ', 'mei'], ['杏', 'アン', 'an'], ['莉子', 'リコ', 'riko'],
  ['舞', 'マイ', 'mai'], ['遥', 'ハルカ', 'haruka'], ['楓', 'カエデ', 'kaede'], ['紬', 'ツムギ', 'tsumugi'],
];

export const MALE_GIVEN_NAMES: readonly NameEntry[] = [
  ['太郎', 'タロウ', 'taro'], ['翔太', 'ショウタ', 'shota'], ['大輔', 'ダイスケ', 'daisuke'], ['健太', 'ケンタ', 'kenta'],
  ['拓也', 'タクヤ', 'takuya'], ['蓮', 'レン', 'ren'], ['大翔', 'ヒロト', 'hiroto'], ['悠真', 'ユウマ', 'yuma'],
  ['湊', 'ミナト', 'minato'], ['陽太', 'ヨウタ', 'yota'], ['誠', 'マコト', 'makoto'], ['浩', 'ヒロシ', 'hiroshi'],
  ['隆', 'タカシ', 'takashi'], ['健一', 'ケンイチ', 'kenichi'], ['一郎', 'イチロウ', 'ichiro'], ['和也', 'カズヤ', 'kazuya'],
  ['直樹', 'ナオキ', 'naoki'], ['達也', 'タツヤ', 'tatsuya'], ['亮', 'リョウ', 'ryo'], ['翼', 'ツバサ', 'tsubasa'],
  ['海斗', 'カイト', 'kaito'], ['颯太', 'ソウタ', 'sota'], ['樹', 'イツキ', 'itsuki'], ['大樹', 'ダイキ', 'daiki'],
  ['哲也', 'テツヤ', 'tetsuya'], ['雄太', 'ユウタ', 'yuta'], ['修', 'オサム', 'osamu'], ['学', 'マナブ', 'manabu'],
  ['剛', 'ツヨシ', 'tsuyoshi'], ['聡', 'サトシ', 'satoshi'], ['悠人', 'ユウト', 'yuto'], ['涼太', 'リョウタ', 'ryota'],
];

/** Statuses of residence as printed on the card (在留資格). */
export const RESIDENCE_STATUSES = {
  ENGINEER: '技術・人文知識・国際業務',
  SSW1: '特定技能1号',
  PERMANENT: '永住者',
  STUDENT: '留学',
  DEPENDENT: '家族滞在',
  LONG_TERM: '定住者',
  SPOUSE: '日本人の配偶者等',
} as const;

const S = RESIDENCE_STATUSES;
const DEFAULT_STATUS_WEIGHTS: ReadonlyArray<readonly [string, number]> = [
  [S.ENGINEER, 30], [S.SSW1, 15], [S.PERMANENT, 20], [S.STUDENT, 10], [S.DEPENDENT, 8], [S.LONG_TERM, 7], [S.SPOUSE, 10],
];

export interface Nationality {
  /** As printed on the residence card (国籍・地域). */
  name: string;
  weight: number;
  /** Names as on the residence card: roman capitals, or kanji for China and Korea. */
  family: readonly NameEntry[];
  given: readonly NameEntry[];
  statuses: ReadonlyArray<readonly [string, number]>;
}

export const NATIONALITIES: readonly Nationality[] = [
  {
    name: '中国', weight: 25, statuses: DEFAULT_STATUS_WEIGHTS,
    family: [['王', 'ワン', 'wang'], ['李', 'リ', 'li'], ['張', 'チャン', 'zhang'], ['劉', 'リュウ', 'liu'], ['陳', 'チェン', 'chen'], ['楊', 'ヤン', 'yang']],
    given: [['偉', 'ウェイ', 'wei'], ['娜', 'ナ', 'na'], ['敏', 'ミン', 'min'], ['洋', 'ヤン', 'yang'], ['静', 'ジン', 'jing'], ['磊', 'レイ', 'lei'], ['麗', 'リー', 'li']],
  },
  {
    name: 'ベトナム', weight: 22,
    statuses: [[S.ENGINEER, 30], [S.SSW1, 35], [S.STUDENT, 20], [S.DEPENDENT, 5], [S.PERMANENT, 5], [S.SPOUSE, 5]],
    family: [['NGUYEN', 'グエン', 'nguyen'], ['TRAN', 'チャン', 'tran'], ['LE', 'レー', 'le'], ['PHAM', 'ファム', 'pham'], ['HOANG', 'ホアン', 'hoang'], ['VU', 'ヴー', 'vu']],
    given: [['VAN AN', 'ヴァン アン', 'vanan'], ['THI LAN', 'ティ ラン', 'thilan'], ['MINH DUC', 'ミン ドゥック', 'minhduc'], ['THI HOA', 'ティ ホア', 'thihoa'], ['QUOC HUY', 'クォック フイ', 'quochuy'], ['THI MAI', 'ティ マイ', 'thimai']],
  },
  {
    name: '韓国', weight: 12, statuses: [[S.PERMANENT, 45], [S.ENGINEER, 25], [S.SPOUSE, 15], [S.STUDENT, 10], [S.DEPENDENT, 5]],
    family: [['金', 'キム', 'kim'], ['李', 'イ', 'lee'], ['朴', 'パク', 'park'], ['崔', 'チェ', 'choi'], ['鄭', 'チョン', 'jung']],
    given: [['民俊', 'ミンジュン', 'minjun'], ['瑞妍', 'ソヨン', 'seoyeon'], ['智勳', 'ジフン', 'jihun'], ['秀彬', 'スビン', 'subin'], ['賢宇', 'ヒョヌ', 'hyunwoo']],
  },
  {
    name: 'フィリピン', weight: 10, statuses: [[S.PERMANENT, 35], [S.SPOUSE, 20], [S.LONG_TERM, 15], [S.SSW1, 15], [S.ENGINEER, 15]],
    family: [['SANTOS', 'サントス', 'santos'], ['REYES', 'レイエス', 'reyes'], ['CRUZ', 'クルス', 'cruz'], ['GARCIA', 'ガルシア', 'garcia'], ['MENDOZA', 'メンドーサ', 'mendoza']],
    given: [['MARIA', 'マリア', 'maria'], ['JOSE', 'ホセ', 'jose'], ['ANGELICA', 'アンジェリカ', 'angelica'], ['MARK', 'マーク', 'mark'], ['JOY', 'ジョイ', 'joy']],
  },
  {
    name: 'ネパール', weight: 7, statuses: [[S.STUDENT, 30], [S.ENGINEER, 25], [S.DEPENDENT, 25], [S.SSW1, 20]],
    family: [['GURUNG', 'グルン', 'gurung'], ['TAMANG', 'タマン', 'tamang'], ['SHRESTHA', 'シュレスタ', 'shrestha'], ['RAI', 'ライ', 'rai'], ['THAPA', 'タパ', 'thapa']],
    given: [['BIKASH', 'ビカス', 'bikash'], ['SITA', 'シタ', 'sita'], ['RAMESH', 'ラメシュ', 'ramesh'], ['ANITA', 'アニタ', 'anita'], ['SUNIL', 'スニル', 'sunil']],
  },
  {
    name: 'インドネシア', weight: 6, statuses: [[S.SSW1, 45], [S.ENGINEER, 25], [S.STUDENT, 20], [S.DEPENDENT, 10]],
    family: [['SANTOSO', 'サントソ', 'santoso'], ['WIJAYA', 'ウィジャヤ', 'wijaya'], ['SAPUTRA', 'サプトラ', 'saputra'], ['HIDAYAT', 'ヒダヤット', 'hidayat'], ['PUTRI', 'プトゥリ', 'putri']],
    given: [['DEWI', 'デウィ', 'dewi'], ['AGUS', 'アグス', 'agus'], ['RIZKY', 'リズキ', 'rizky'], ['SITI', 'シティ', 'siti'], ['BUDI', 'ブディ', 'budi']],
  },
  {
    name: 'ミャンマー', weight: 5, statuses: [[S.SSW1, 40], [S.ENGINEER, 25], [S.STUDENT, 25], [S.DEPENDENT, 10]],
    // Burmese names have no family name; the first syllable stands in for it.
    family: [['AUNG', 'アウン', 'aung'], ['KYAW', 'チョー', 'kyaw'], ['SU', 'スー', 'su'], ['HNIN', 'ニン', 'hnin'], ['THIRI', 'ティリ', 'thiri']],
    given: [['MIN HTET', 'ミン テッ', 'minhtet'], ['ZIN OO', 'ジン ウー', 'zinoo'], ['MYAT NOE', 'ミャッ ノー', 'myatnoe'], ['EI PHYU', 'エイ ピュー', 'eiphyu'], ['WIN', 'ウィン', 'win']],
  },
  {
    name: 'ブラジル', weight: 6, statuses: [[S.LONG_TERM, 40], [S.PERMANENT, 40], [S.SPOUSE, 15], [S.ENGINEER, 5]],
    family: [['SILVA', 'シルバ', 'silva'], ['OLIVEIRA', 'オリベイラ', 'oliveira'], ['SOUZA', 'ソウザ', 'souza'], ['PEREIRA', 'ペレイラ', 'pereira'], ['NAKAMURA', 'ナカムラ', 'nakamura']],
    given: [['LUCAS', 'ルーカス', 'lucas'], ['ANA', 'アナ', 'ana'], ['GABRIEL', 'ガブリエル', 'gabriel'], ['JULIANA', 'ジュリアナ', 'juliana'], ['RAFAEL', 'ハファエル', 'rafael']],
  },
  {
    name: 'アメリカ合衆国', weight: 3, statuses: [[S.ENGINEER, 50], [S.SPOUSE, 25], [S.PERMANENT, 15], [S.STUDENT, 10]],
    family: [['SMITH', 'スミス', 'smith'], ['JOHNSON', 'ジョンソン', 'johnson'], ['MILLER', 'ミラー', 'miller'], ['BROWN', 'ブラウン', 'brown'], ['DAVIS', 'デイビス', 'davis']],
    given: [['EMILY', 'エミリー', 'emily'], ['MICHAEL', 'マイケル', 'michael'], ['SARAH', 'サラ', 'sarah'], ['DAVID', 'デビッド', 'david'], ['JESSICA', 'ジェシカ', 'jessica']],
  },
  {
    name: 'インド', weight: 4, statuses: [[S.ENGINEER, 60], [S.DEPENDENT, 25], [S.STUDENT, 10], [S.PERMANENT, 5]],
    family: [['SHARMA', 'シャルマ', 'sharma'], ['PATEL', 'パテル', 'patel'], ['SINGH', 'シン', 'singh'], ['KUMAR', 'クマール', 'kumar'], ['REDDY', 'レッディ', 'reddy']],
    given: [['PRIYA', 'プリヤ', 'priya'], ['RAHUL', 'ラフル', 'rahul'], ['ANJALI', 'アンジャリ', 'anjali'], ['ARJUN', 'アルジュン', 'arjun'], ['DEEPAK', 'ディーパック', 'deepak']],
  },
];

export interface Prefecture {
  name: string;
  /** Relative share of candidates and employers (population, skewed towards the big job markets). */
  weight: number;
  /** First three digits of the prefecture's postal codes. */
  postal: readonly [number, number];
  cities: readonly string[];
}

export const PREFECTURES: readonly Prefecture[] = [
  { name: '北海道', weight: 51, postal: [40, 99], cities: ['札幌市中央区', '札幌市北区', '旭川市', '函館市'] },
  { name: '青森県', weight: 12, postal: [30, 39], cities: ['青森市', '八戸市'] },
  { name: '岩手県', weight: 12, postal: [20, 29], cities: ['盛岡市', '一関市'] },
  { name: '宮城県', weight: 23, postal: [980, 989], cities: ['仙台市青葉区', '仙台市宮城野区', '石巻市'] },
  { name: '秋田県', weight: 9, postal: [10, 19], cities: ['秋田市'] },
  { name: '山形県', weight: 10, postal: [990, 999], cities: ['山形市', '鶴岡市'] },
  { name: '福島県', weight: 18, postal: [960, 979], cities: ['郡山市', '福島市', 'いわき市'] },
  { name: '茨城県', weight: 28, postal: [300, 319], cities: ['水戸市', 'つくば市', '日立市'] },
  { name: '栃木県', weight: 19, postal: [320, 329], cities: ['宇都宮市', '小山市'] },
  { name: '群馬県', weight: 19, postal: [370, 379], cities: ['前橋市', '高崎市', '太田市'] },
  { name: '埼玉県', weight: 73, postal: [330, 369], cities: ['さいたま市大宮区', '川口市', '川越市', '所沢市', '越谷市'] },
  { name: '千葉県', weight: 63, postal: [260, 299], cities: ['千葉市中央区', '船橋市', '柏市', '松戸市', '市川市'] },
  { name: '東京都', weight: 280, postal: [100, 208], cities: ['千代田区', '中央区', '港区', '新宿区', '渋谷区', '品川区', '世田谷区', '練馬区', '大田区', '江東区', '豊島区', '八王子市', '町田市'] },
  { name: '神奈川県', weight: 120, postal: [210, 259], cities: ['横浜市西区', '横浜市港北区', '川崎市中原区', '相模原市中央区', '藤沢市', '厚木市'] },
  { name: '新潟県', weight: 21, postal: [940, 959], cities: ['新潟市中央区', '長岡市'] },
  { name: '富山県', weight: 10, postal: [930, 939], cities: ['富山市', '高岡市'] },
  { name: '石川県', weight: 11, postal: [920, 929], cities: ['金沢市'] },
  { name: '福井県', weight: 7, postal: [910, 919], cities: ['福井市'] },
  { name: '山梨県', weight: 8, postal: [400, 409], cities: ['甲府市'] },
  { name: '長野県', weight: 20, postal: [380, 399], cities: ['長野市', '松本市'] },
  { name: '岐阜県', weight: 19, postal: [500, 509], cities: ['岐阜市', '大垣市'] },
  { name: '静岡県', weight: 36, postal: [410, 439], cities: ['静岡市葵区', '浜松市中央区', '沼津市'] },
  { name: '愛知県', weight: 98, postal: [440, 498], cities: ['名古屋市中区', '名古屋市中村区', '豊田市', '岡崎市', '一宮市'] },
  { name: '三重県', weight: 17, postal: [510, 519], cities: ['津市', '四日市市'] },
  { name: '滋賀県', weight: 14, postal: [520, 529], cities: ['大津市', '草津市'] },
  { name: '京都府', weight: 25, postal: [600, 629], cities: ['京都市中京区', '京都市下京区', '宇治市'] },
  { name: '大阪府', weight: 132, postal: [530, 599], cities: ['大阪市北区', '大阪市中央区', '大阪市淀川区', '堺市堺区', '東大阪市', '豊中市', '吹田市'] },
  { name: '兵庫県', weight: 54, postal: [650, 679], cities: ['神戸市中央区', '姫路市', '西宮市', '尼崎市'] },
  { name: '奈良県', weight: 13, postal: [630, 639], cities: ['奈良市', '橿原市'] },
  { name: '和歌山県', weight: 9, postal: [640, 649], cities: ['和歌山市'] },
  { name: '鳥取県', weight: 5, postal: [680, 689], cities: ['鳥取市', '米子市'] },
  { name: '島根県', weight: 6, postal: [690, 699], cities: ['松江市', '出雲市'] },
  { name: '岡山県', weight: 18, postal: [700, 719], cities: ['岡山市北区', '倉敷市'] },
  { name: '広島県', weight: 27, postal: [720, 739], cities: ['広島市中区', '福山市'] },
  { name: '山口県', weight: 13, postal: [740, 759], cities: ['下関市', '山口市'] },
  { name: '徳島県', weight: 7, postal: [770, 779], cities: ['徳島市'] },
  { name: '香川県', weight: 9, postal: [760, 769], cities: ['高松市'] },
  { name: '愛媛県', weight: 13, postal: [790, 799], cities: ['松山市', '今治市'] },
  { name: '高知県', weight: 7, postal: [780, 789], cities: ['高知市'] },
  { name: '福岡県', weight: 66, postal: [800, 839], cities: ['福岡市博多区', '福岡市中央区', '北九州市小倉北区', '久留米市'] },
  { name: '佐賀県', weight: 8, postal: [840, 849], cities: ['佐賀市'] },
  { name: '長崎県', weight: 13, postal: [850, 859], cities: ['長崎市', '佐世保市'] },
  { name: '熊本県', weight: 17, postal: [860, 869], cities: ['熊本市中央区'] },
  { name: '大分県', weight: 11, postal: [870, 879], cities: ['大分市', '別府市'] },
  { name: '宮崎県', weight: 10, postal: [880, 889], cities: ['宮崎市'] },
  { name: '鹿児島県', weight: 15, postal: [890, 899], cities: ['鹿児島市'] },
  { name: '沖縄県', weight: 15, postal: [900, 909], cities: ['那覇市', '沖縄市'] },
];

/** Town names used in street addresses. */
export const TOWNS = [
  '本町', '中央', '栄町', '緑町', '旭町', '幸町', '錦町', '東町', '西新町', '桜台', '若葉', '宮前', '大手町', '元町', '新町', '松が丘',
  '青葉台', '日の出町', '港南', '北山', '南台', '泉町', '富士見', '柳町',
] as const;

export const BUILDINGS = ['ハイツ', 'コーポ', 'マンション', 'レジデンス', 'メゾン', 'パレス', 'グランドハイツ', 'ヒルズ'] as const;

export const INDUSTRIES = [
  'IT・通信', 'メーカー', '商社', '金融', '医療・福祉', '小売・外食', '建設・不動産', '物流', '教育', 'コンサルティング', '広告・メディア', 'ホテル・旅行',
] as const;
export type Industry = (typeof INDUSTRIES)[number];

type EmploymentType = 'FULL_TIME' | 'CONTRACT' | 'PART_TIME' | 'TEMPORARY' | 'INTERNSHIP';

export interface JobCategory {
  name: string;
  titles: readonly string[];
  /** Annual salary band in units of 10,000 yen (万円). */
  salary: readonly [number, number];
  employment: ReadonlyArray<readonly [EmploymentType, number]>;
  duties: readonly string[];
  requirements: readonly string[];
  skills: readonly string[];
}

const FT_HEAVY: ReadonlyArray<readonly [EmploymentType, number]> = [['FULL_TIME', 80], ['CONTRACT', 15], ['INTERNSHIP', 5]];
const MIXED: ReadonlyArray<readonly [EmploymentType, number]> = [['FULL_TIME', 50], ['CONTRACT', 15], ['PART_TIME', 30], ['TEMPORARY', 5]];

export const JOB_CATEGORIES: Record<string, JobCategory> = {
  IT: {
    name: 'エンジニア・IT',
    titles: ['バックエンドエンジニア', 'フロントエンドエンジニア', 'インフラエンジニア', '社内SE', 'データサイエンティスト', 'QAエンジニア', 'プロジェクトマネージャー', 'モバイルアプリエンジニア'],
    salary: [400, 1000], employment: FT_HEAVY,
    duties: ['自社サービスの設計・開発・運用', '既存システムの改修と性能改善', 'クラウド基盤の構築と運用自動化', '要件定義から実装までの一貫した開発'],
    requirements: ['Webアプリケーションの開発経験2年以上', 'Git を用いたチーム開発の経験', 'いずれかの言語での実務経験'],
    skills: ['Java', 'TypeScript', 'JavaScript', 'Python', 'Go', 'PHP', 'SQL', 'AWS', 'Docker', 'Kubernetes', 'React', 'Linux', '基本情報技術者', '応用情報技術者'],
  },
  SALES: {
    name: '営業',
    titles: ['法人営業', '個人営業', 'ルート営業', 'インサイドセールス', '不動産営業', 'ソリューション営業', 'カスタマーサクセス'],
    salary: [350, 800], employment: [['FULL_TIME', 90], ['CONTRACT', 10]],
    duties: ['既存顧客への提案営業', '新規顧客の開拓', '見積書・提案書の作成', '顧客との長期的な関係構築'],
    requirements: ['営業経験1年以上（業界不問）', '普通自動車免許（AT限定可）', '未経験歓迎'],
    skills: ['営業', '法人営業', '普通自動車免許', 'Excel', 'PowerPoint', 'TOEIC 650', '宅地建物取引士'],
  },
  OFFICE: {
    name: '事務・管理',
    titles: ['一般事務', '経理', '人事', '総務', '営業事務', '貿易事務', '法務'],
    salary: [280, 600], employment: [['FULL_TIME', 60], ['CONTRACT', 20], ['PART_TIME', 10], ['TEMPORARY', 10]],
    duties: ['請求書の発行や伝票処理', '月次・年次決算の補助', '採用や労務管理の実務', '電話・来客対応と書類作成'],
    requirements: ['Word・Excel の基本操作', '事務経験1年以上', '日商簿記2級以上（経理職）'],
    skills: ['経理', '日商簿記2級', '日商簿記3級', 'Excel', 'PowerPoint', '秘書検定2級', 'TOEIC 800', '衛生管理者'],
  },
  CARE: {
    name: '介護・福祉',
    titles: ['介護スタッフ', 'ケアマネジャー', '生活相談員', 'サービス提供責任者', '保育士'],
    salary: [260, 450], employment: MIXED,
    duties: ['利用者様の日常生活のサポート', 'ケアプランの作成と関係機関との調整', 'ご家族からの相談対応', 'レクリエーションの企画・運営'],
    requirements: ['介護職員初任者研修以上', '介護福祉士歓迎', '未経験・ブランクのある方も歓迎'],
    skills: ['介護福祉士', '介護職員初任者研修', '保育士', '普通自動車免許', '社会福祉士'],
  },
  MEDICAL: {
    name: '医療',
    titles: ['看護師', '薬剤師', '医療事務', '理学療法士', '臨床検査技師'],
    salary: [300, 650], employment: MIXED,
    duties: ['外来・病棟での看護業務', '調剤および服薬指導', '受付・会計・レセプト業務', 'リハビリテーションの実施'],
    requirements: ['看護師免許（看護師職）', '薬剤師免許（薬剤師職）', '医療機関での勤務経験'],
    skills: ['看護師免許', '薬剤師免許', '医療事務', '理学療法士', '普通自動車免許'],
  },
  SERVICE: {
    name: '販売・サービス',
    titles: ['店長候補', '販売スタッフ', 'ホールスタッフ', '調理スタッフ', 'コールセンタースタッフ'],
    salary: [220, 500], employment: [['FULL_TIME', 35], ['PART_TIME', 50], ['CONTRACT', 10], ['TEMPORARY', 5]],
    duties: ['店舗での接客・販売', '売上管理とスタッフのシフト作成', '商品の発注と在庫管理', 'お客様からのお問い合わせ対応'],
    requirements: ['接客経験者歓迎', '土日勤務が可能な方', '学歴不問'],
    skills: ['接客', '調理師免許', '販売士2級', 'Excel', '普通自動車免許'],
  },
  MANUFACTURING: {
    name: '製造・技術',
    titles: ['製造スタッフ', '品質管理', '生産技術', '機械設計', '電気設計', '設備保全'],
    salary: [300, 700], employment: [['FULL_TIME', 70], ['CONTRACT', 20], ['TEMPORARY', 10]],
    duties: ['自動車部品の製造ラインでの作業', '製品の品質検査とデータ管理', '生産ラインの改善提案', '3D CAD を用いた機械設計'],
    requirements: ['製造業での勤務経験', '交替勤務が可能な方', 'CAD の使用経験（設計職）'],
    skills: ['フォークリフト運転技能者', '危険物取扱者乙種4類', 'CAD', '品質管理検定2級', '普通自動車免許', '第二種電気工事士'],
  },
  LOGISTICS: {
    name: '物流・ドライバー',
    titles: ['倉庫内作業', '配送ドライバー', '大型トラックドライバー', '物流管理'],
    salary: [280, 550], employment: [['FULL_TIME', 60], ['PART_TIME', 25], ['TEMPORARY', 15]],
    duties: ['倉庫内でのピッキング・検品・梱包', '決まったルートでの配送業務', '長距離輸送', '入出荷の管理と協力会社との調整'],
    requirements: ['普通自動車免許（ドライバー職）', '大型自動車免許（大型ドライバー職）', '未経験歓迎'],
    skills: ['普通自動車免許', '中型自動車免許', '大型自動車免許', 'フォークリフト運転技能者', '運行管理者'],
  },
  CONSTRUCTION: {
    name: '建築・土木',
    titles: ['施工管理', '建築設計', '土木作業員', 'CADオペレーター'],
    salary: [350, 800], employment: [['FULL_TIME', 85], ['CONTRACT', 15]],
    duties: ['住宅・商業施設の施工管理', '意匠設計と行政への申請業務', '道路・橋梁工事の現場作業', '図面の作成・修正'],
    requirements: ['施工管理の実務経験', '2級建築施工管理技士以上歓迎', '普通自動車免許'],
    skills: ['1級建築施工管理技士', '2級建築士', '宅地建物取引士', 'CAD', '普通自動車免許'],
  },
  MARKETING: {
    name: 'マーケティング・企画',
    titles: ['Webマーケター', '商品企画', '広報・PR', '編集・ライター', 'Webデザイナー'],
    salary: [350, 750], employment: FT_HEAVY,
    duties: ['Web広告の運用と効果測定', '新商品の企画立案', 'プレスリリースの作成とメディア対応', '記事の企画・編集'],
    requirements: ['マーケティング業務の経験2年以上', 'Google アナリティクスの使用経験', 'ポートフォリオの提出（デザイナー職）'],
    skills: ['Webマーケティング', 'Google アナリティクス', 'Photoshop', 'Illustrator', 'PowerPoint', 'TOEIC 800'],
  },
  EDUCATION: {
    name: '教育',
    titles: ['塾講師', '日本語教師', '英会話講師', '教務スタッフ'],
    salary: [280, 500], employment: MIXED,
    duties: ['小中学生への集団・個別指導', '留学生への日本語指導', '英会話レッスンの実施', '生徒募集と保護者対応'],
    requirements: ['教育業界での経験者歓迎', '日本語教育能力検定試験合格者歓迎（日本語教師）', '大卒以上'],
    skills: ['教員免許', '日本語教育能力検定', 'TOEIC 800', '英語（ビジネスレベル）', '中国語（日常会話）'],
  },
  HOSPITALITY: {
    name: 'ホテル・観光',
    titles: ['ホテルフロント', '旅行カウンセラー', '通訳ガイド', '客室清掃スタッフ'],
    salary: [250, 450], employment: MIXED,
    duties: ['チェックイン・チェックアウト対応', '旅行プランの提案と手配', '訪日外国人観光客の案内', '客室の清掃・ベッドメイク'],
    requirements: ['接客経験者歓迎', '英語または中国語での会話ができる方歓迎', 'シフト勤務が可能な方'],
    skills: ['英語（ビジネスレベル）', '中国語（日常会話）', '全国通訳案内士', '旅行業務取扱管理者', 'TOEIC 650'],
  },
  CONSULTING: {
    name: 'コンサルタント',
    titles: ['ITコンサルタント', '経営コンサルタント', '人事コンサルタント'],
    salary: [500, 1200], employment: [['FULL_TIME', 95], ['CONTRACT', 5]],
    duties: ['クライアントの業務課題の分析と改善提案', 'DX推進プロジェクトの支援', '人事制度の設計と導入支援'],
    requirements: ['コンサルティングファームでの経験', '事業会社での企画経験', 'ビジネスレベルの英語力歓迎'],
    skills: ['中小企業診断士', 'PMP', 'TOEIC 800', 'Excel', 'PowerPoint', 'SQL'],
  },
};
export type CategoryKey = keyof typeof JOB_CATEGORIES;

/** Which job categories an employer of each industry posts (repeats make a category more likely). */
export const INDUSTRY_CATEGORIES: Record<Industry, readonly CategoryKey[]> = {
  'IT・通信': ['IT', 'IT', 'IT', 'SALES', 'MARKETING', 'OFFICE'],
  'メーカー': ['MANUFACTURING', 'MANUFACTURING', 'SALES', 'OFFICE', 'IT'],
  '商社': ['SALES', 'SALES', 'OFFICE'],
  '金融': ['SALES', 'OFFICE', 'IT', 'CONSULTING'],
  '医療・福祉': ['CARE', 'CARE', 'MEDICAL', 'MEDICAL', 'OFFICE'],
  '小売・外食': ['SERVICE', 'SERVICE', 'SERVICE', 'OFFICE'],
  '建設・不動産': ['CONSTRUCTION', 'CONSTRUCTION', 'SALES'],
  '物流': ['LOGISTICS', 'LOGISTICS', 'LOGISTICS', 'OFFICE'],
  '教育': ['EDUCATION', 'EDUCATION', 'EDUCATION', 'OFFICE'],
  'コンサルティング': ['CONSULTING', 'CONSULTING', 'CONSULTING', 'IT'],
  '広告・メディア': ['MARKETING', 'MARKETING', 'MARKETING', 'SALES'],
  'ホテル・旅行': ['HOSPITALITY', 'HOSPITALITY', 'HOSPITALITY', 'SERVICE'],
};

/** Skills anyone may list, whatever their field. */
export const GENERAL_SKILLS = ['普通自動車免許', 'Excel', 'Word', 'TOEIC 650', 'TOEIC 800', 'ITパスポート', 'ファイナンシャル・プランナー2級'] as const;
export const JAPANESE_LANGUAGE_SKILLS = ['日本語能力試験N1', '日本語能力試験N2', '日本語能力試験N3'] as const;

/** Company name parts: a stem with its romanization (for the website) and suffixes per industry. */
export const COMPANY_STEMS: readonly (readonly [string, string])[] = [
  ['さくら', 'sakura'], ['みらい', 'mirai'], ['アオバ', 'aoba'], ['ヒカリ', 'hikari'], ['アスカ', 'asuka'], ['ノゾミ', 'nozomi'],
  ['大和', 'yamato'], ['東邦', 'toho'], ['日本', 'nihon'], ['富士', 'fuji'], ['瑞穂', 'mizuho'], ['朝日', 'asahi'],
  ['シナジー', 'synergy'], ['グローバル', 'global'], ['ネクスト', 'next'], ['フロンティア', 'frontier'], ['ユニバース', 'universe'],
  ['セントラル', 'central'], ['北斗', 'hokuto'], ['浪速', 'naniwa'], ['中部', 'chubu'], ['九州', 'kyushu'], ['関東', 'kanto'], ['東海', 'tokai'],
  ['丸の内', 'marunouchi'], ['ひまわり', 'himawari'], ['こだま', 'kodama'], ['はやぶさ', 'hayabusa'], ['つばさ', 'tsubasa'], ['やまびこ', 'yamabiko'],
];

export const COMPANY_SUFFIXES: Record<Industry, readonly (readonly [string, string])[]> = {
  'IT・通信': [['テクノロジーズ', 'tech'], ['システムズ', 'systems'], ['ソリューションズ', 'solutions'], ['デジタル', 'digital'], ['ネットワークス', 'networks']],
  'メーカー': [['製作所', 'mfg'], ['工業', 'kogyo'], ['精機', 'seiki'], ['化学', 'chemical'], ['電機', 'denki']],
  '商社': [['商事', 'shoji'], ['物産', 'bussan'], ['トレーディング', 'trading']],
  '金融': [['証券', 'securities'], ['ファイナンス', 'finance'], ['リース', 'lease'], ['信用金庫', 'shinkin']],
  '医療・福祉': [['メディカル', 'medical'], ['ケアサービス', 'care'], ['福祉会', 'fukushi'], ['ヘルスケア', 'healthcare']],
  '小売・外食': [['フーズ', 'foods'], ['ストア', 'store'], ['ダイニング', 'dining'], ['リテイリング', 'retailing']],
  '建設・不動産': [['建設', 'kensetsu'], ['工務店', 'komuten'], ['不動産', 'realestate'], ['ハウジング', 'housing']],
  '物流': [['運輸', 'unyu'], ['ロジスティクス', 'logistics'], ['物流', 'butsuryu'], ['エクスプレス', 'express']],
  '教育': [['ゼミナール', 'seminar'], ['アカデミー', 'academy'], ['学院', 'gakuin'], ['エデュケーション', 'education']],
  'コンサルティング': [['コンサルティング', 'consulting'], ['パートナーズ', 'partners'], ['総合研究所', 'research']],
  '広告・メディア': [['エージェンシー', 'agency'], ['メディア', 'media'], ['クリエイティブ', 'creative'], ['出版', 'publishing']],
  'ホテル・旅行': [['ホテルズ', 'hotels'], ['トラベル', 'travel'], ['ツーリズム', 'tourism'], ['リゾート', 'resort']],
};

export const WORK_ACHIEVEMENTS = [
  '新規顧客の開拓を担当し、売上目標を継続的に達成しました',
  '業務フローの見直しにより残業時間を約2割削減しました',
  '後輩の育成やマニュアル作成にも携わりました',
  'チームリーダーとして5名のメンバーをまとめました',
  '社内システムの刷新プロジェクトに参加しました',
  '顧客満足度調査で部署内1位の評価を得ました',
  '品質改善活動により不良率を半減させました',
  '多言語での接客対応を担当しました',
] as const;

export const CAREER_GOALS = [
  'より大きな裁量を持って働ける環境を希望しています',
  'チームを牽引する立場に挑戦したいと考えています',
  'ワークライフバランスを大切にしながら長く働ける職場を探しています',
  '専門性をさらに高められる環境を希望しています',
  '地元で地域に貢献できる仕事を探しています',
  'これまでの経験を活かして新しい業界に挑戦したいと考えています',
] as const;

export const APPLICATION_REASONS = [
  '貴社の事業内容と今後の成長性に強く惹かれました',
  'これまでの経験を直接活かせる業務内容だと感じました',
  '働きやすい環境づくりへの取り組みに共感しました',
  '地域に根ざした事業展開に魅力を感じました',
  '研修制度が充実しており、長く成長できると考えました',
] as const;

export const JOB_BENEFITS = [
  '社会保険完備、交通費支給、賞与年2回',
  '完全週休2日制（土日祝）、年間休日125日',
  'リモートワーク可、フレックスタイム制',
  '資格取得支援制度あり、退職金制度あり',
  '住宅手当・家族手当あり、育児休業取得実績あり',
] as const;

export interface CampaignDefinition {
  name: string;
  channel: 'EMAIL' | 'POST' | 'PHONE';
  status: 'DRAFT' | 'SCHEDULED' | 'SENT';
  targetIndustry: Industry | null;
  targetPrefecture: string | null;
  /** Days from `now` to the start (negative: in the past). */
  startsInDays: number;
  /** Length of the campaign in days; null when open-ended. */
  durationDays: number | null;
  /** Only candidates with a residence card receive it. */
  foreignOnly?: boolean;
}

/** The first campaign is the demo campaign (fixed id). */
export const CAMPAIGNS: readonly CampaignDefinition[] = [
  { name: '秋の転職フェア2026 ご案内', channel: 'EMAIL', status: 'SCHEDULED', targetIndustry: null, targetPrefecture: null, startsInDays: 7, durationDays: 14 },
  { name: '新着求人メールマガジン 10月号', channel: 'EMAIL', status: 'SENT', targetIndustry: null, targetPrefecture: null, startsInDays: -30, durationDays: null },
  { name: '介護職 資格取得支援制度のご案内', channel: 'EMAIL', status: 'SENT', targetIndustry: '医療・福祉', targetPrefecture: null, startsInDays: -55, durationDays: 30 },
  { name: '首都圏 ITエンジニア転職セミナー', channel: 'EMAIL', status: 'SENT', targetIndustry: 'IT・通信', targetPrefecture: '東京都', startsInDays: -20, durationDays: 14 },
  { name: '関西エリア 合同企業説明会のご案内', channel: 'POST', status: 'SENT', targetIndustry: null, targetPrefecture: '大阪府', startsInDays: -45, durationDays: 21 },
  { name: '年末年始 短期アルバイト特集', channel: 'EMAIL', status: 'SCHEDULED', targetIndustry: '小売・外食', targetPrefecture: null, startsInDays: 20, durationDays: 30 },
  { name: 'キャリアアドバイザーによる無料面談のご案内', channel: 'PHONE', status: 'SENT', targetIndustry: null, targetPrefecture: null, startsInDays: -75, durationDays: 30 },
  { name: '春の転職応援キャンペーン2027', channel: 'EMAIL', status: 'DRAFT', targetIndustry: null, targetPrefecture: null, startsInDays: 120, durationDays: 45 },
  { name: '外国籍の方向け 就職サポートのご案内', channel: 'EMAIL', status: 'SENT', targetIndustry: null, targetPrefecture: null, startsInDays: -12, durationDays: 30, foreignOnly: true },
  { name: '東海エリア 製造業 高収入求人特集', channel: 'POST', status: 'SENT', targetIndustry: 'メーカー', targetPrefecture: '愛知県', startsInDays: -90, durationDays: 30 },
  { name: '会員限定 年収診断のご案内', channel: 'EMAIL', status: 'SENT', targetIndustry: null, targetPrefecture: null, startsInDays: -5, durationDays: 10 },
  { name: '物流業界 ドライバー求人特集', channel: 'PHONE', status: 'SCHEDULED', targetIndustry: '物流', targetPrefecture: null, startsInDays: 3, durationDays: 14 },
];

export interface SurveyDefinition {
  title: string;
  /** Days from `now` to opening (negative: in the past) and the survey's length (null: still open). */
  opensInDays: number;
  durationDays: number | null;
  /** Each question with its answer choices; an empty list means a free-text answer. */
  questions: ReadonlyArray<readonly [question: string, choices: readonly string[]]>;
  /** Only candidates with a residence card answer it. */
  foreignOnly?: boolean;
}

/** The first survey is the demo survey (fixed id). */
export const SURVEYS: readonly SurveyDefinition[] = [
  {
    title: '転職活動に関するアンケート', opensInDays: -60, durationDays: null,
    questions: [
      ['現在の転職意欲を教えてください', ['すぐにでも転職したい', '良い求人があれば検討したい', '情報収集中', '当面は考えていない']],
      ['希望する働き方を教えてください', ['出社中心', 'ハイブリッド', 'フルリモート', 'こだわらない']],
      ['転職で最も重視する点は何ですか', ['年収', '勤務地', '仕事内容', '休日・残業', '社風']],
      ['当サイトへのご意見をご自由にお書きください', []],
    ],
  },
  {
    title: 'リモートワークに関する意識調査', opensInDays: -200, durationDays: 60,
    questions: [
      ['現在リモートワークをしていますか', ['週5日', '週3〜4日', '週1〜2日', 'していない']],
      ['リモートワークの満足度を教えてください', ['満足', 'やや満足', 'やや不満', '不満']],
      ['リモートワークで困っていることを教えてください', []],
    ],
  },
  {
    title: '当サイトの使いやすさに関するアンケート', opensInDays: -30, durationDays: 45,
    questions: [
      ['求人は探しやすいですか', ['とても探しやすい', '探しやすい', '探しにくい', 'とても探しにくい']],
      ['よく使う機能を教えてください', ['求人検索', 'スカウト', '応募管理', 'キャリア診断']],
      ['スマートフォンアプリを利用していますか', ['はい', 'いいえ']],
      ['友人に当サイトを勧めたいと思いますか', ['思う', 'どちらとも言えない', '思わない']],
      ['改善してほしい点をご自由にお書きください', []],
    ],
  },
  {
    title: '資格取得に関するアンケート', opensInDays: -400, durationDays: 90,
    questions: [
      ['現在、取得を目指している資格はありますか', ['ある', 'ない']],
      ['資格の勉強方法を教えてください', ['独学', '通信講座', 'スクール', '会社の研修']],
      ['資格取得支援制度のある企業を希望しますか', ['希望する', 'どちらでもよい', '希望しない']],
    ],
  },
  {
    title: '外国籍求職者向けサポートに関するアンケート', opensInDays: -90, durationDays: 120, foreignOnly: true,
    questions: [
      ['日本での就職活動で困ったことはありますか', ['ビザの手続き', '日本語での面接', '履歴書の書き方', '特にない']],
      ['希望するサポート言語を教えてください', ['英語', '中国語', 'ベトナム語', 'やさしい日本語']],
      ['その他のご要望をご自由にお書きください', []],
    ],
  },
];

export const FREE_TEXT_ANSWERS = [
  '特にありません。', 'とても使いやすいです。', '検索条件をもっと細かく指定できると嬉しいです。', '通知が多すぎると感じます。',
  'スマートフォンでの表示が見やすくなると助かります。', '地方の求人をもっと増やしてほしいです。', '丁寧にサポートしていただき感謝しています。',
] as const;
